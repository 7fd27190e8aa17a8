import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startNodeProcess, stopProcess } from '@seckill/devstack';
import type { LoadtestReport } from '../src/report';

const packageDir = path.resolve(__dirname, '..');

/** Run the CLI as `pnpm loadtest` does (tsx, workspace sources) and collect its output. */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ code: number | null; output: string }> {
  const timeoutMs = options.timeoutMs ?? 150_000;
  const lines: string[] = [];
  const cli = startNodeProcess({
    name: 'loadtest',
    script: path.join(packageDir, 'src/cli.ts'),
    args: ['--no-progress', ...args],
    cwd: packageDir,
    ...(options.env ? { env: options.env } : {}),
    onLine: (line) => lines.push(line),
  });
  return new Promise((resolve, reject) => {
    // SIGTERM first: the CLI then stops the apps and the servers it started before it exits.
    const timer = setTimeout(() => {
      void stopProcess(cli, { graceMs: 30_000 });
      reject(new Error(`loadtest did not finish in ${timeoutMs} ms:\n${lines.join('\n')}`));
    }, timeoutMs);
    void cli.exited.then(({ code }) => {
      clearTimeout(timer);
      resolve({ code, output: lines.join('\n') });
    });
  });
}

/** A small crowd (60 shoppers, 20 items, 2 shards) where every behaviour happens several times. */
export const smallCrowd = [
  '--users 60 --stock 20 --shards 2 --double-click 0.2 --triple-click 0.1 --cancel 0.3 --reconnect 0.2',
  '--second-tab 0.2 --malformed 0.1 --bad-token 0.1 --early 0.05 --start-delay 1000 --timeout 60000',
]
  .join(' ')
  .split(' ');

type InjectedFault = LoadtestReport['faults']['injected'][number];

/**
 * Run `scenario` with the faults `chaos` (one run) into a folder of `out`; expect every invariant to
 * hold and each fault to be in the report (started, healed, no error), the markdown and the chart.
 * Resolves with the report's record of each fault, by its name.
 */
export async function runFaultScenario(options: {
  scenario: string[];
  chaos: string[];
  basePort: number;
  out: string;
  timeoutMs?: number;
}): Promise<Record<string, InjectedFault>> {
  const { chaos } = options;
  const dir = path.join(options.out, chaos.join('+').replace(/[^a-z0-9+-]/g, '_'));
  const chaosArgs = chaos.flatMap((name) => ['--chaos', name]);
  const { code, output } = await runCli([...options.scenario, ...chaosArgs, '--base-port', String(options.basePort), '--out', dir], {
    timeoutMs: options.timeoutMs ?? 170_000,
  });
  const json = await readFile(path.join(dir, 'report.json'), 'utf8').catch(() => undefined);
  expect({ chaos, report: json ? 'written' : output }).toEqual({ chaos, report: 'written' });
  const report = JSON.parse(json!) as LoadtestReport;
  const failed = report.invariants.filter((inv) => inv.status === 'fail').map((inv) => `${inv.name}: ${inv.details}`);
  expect({ chaos, failed, code, output: code === 0 ? '' : output.split('\n').slice(-40).join('\n') }).toEqual({
    chaos,
    failed: [],
    code: 0,
    output: '',
  });

  const markdown = await readFile(path.join(dir, 'report.md'), 'utf8');
  const chart = await readFile(path.join(dir, 'timeline.svg'), 'utf8');
  const faults: Record<string, InjectedFault> = {};
  for (const name of chaos) {
    const fault = report.faults.injected.find((candidate) => candidate.name === name);
    expect({ name, found: fault !== undefined }).toEqual({ name, found: true });
    expect({ name, error: fault!.error }).toEqual({ name, error: undefined });
    expect(fault!.atMs).toBeGreaterThanOrEqual(0);
    expect(fault!.healedAtMs).toBeGreaterThanOrEqual(fault!.atMs!);
    expect(report.timeline.faults).toContainEqual({ name, from: fault!.atMs, to: fault!.healedAtMs });
    expect(markdown).toContain(`| ${name} | +`);
    expect(chart).toContain(name);
    faults[name] = fault!;
  }
  return faults;
}
