/** What the bench reads of a process from /proc: resident memory and CPU time. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const CLOCK_TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

export function rssKib(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]);
}

/**
 * RSS moves with the garbage collector's rhythm: after a pause, a few full collections (a server
 * started with MEASURED_SERVER_FLAGS runs one per SIGWINCH; tried here, RSS stops moving after
 * two or three), then the median of a few samples.
 */
export async function settledRssKib(pid: number): Promise<number> {
  await sleep(1_000);
  for (let i = 0; i < 3; i += 1) {
    process.kill(pid, 'SIGWINCH');
    await sleep(400);
  }
  const samples: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    samples.push(rssKib(pid));
    await sleep(200);
  }
  return samples.sort((a, b) => a - b)[2]!;
}

/** User + system CPU seconds the process has used so far (utime and stime of /proc/<pid>/stat). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces; utime is field 14.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** The pid listening on 127.0.0.1:<port> (the machine's Redis, NATS), if `ss` can tell. */
export function listenerPid(port: number): number | undefined {
  const output = spawnSync('ss', ['-Hltnp', `sport = :${port}`]).stdout?.toString() ?? '';
  const match = /pid=(\d+)/.exec(output);
  return match ? Number(match[1]) : undefined;
}
