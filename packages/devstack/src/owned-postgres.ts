import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, freezeProcess, sleep, thawProcess } from './owned-process';
import type { OwnedServer } from './owned-server';

const run = promisify(execFile);

/** Debian's server binaries (initdb, pg_ctl): `PG_BIN_DIR`, else the newest /usr/lib/postgresql/N/bin. */
export function postgresBinDir(): string {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'pg_ctl'))) : [];
  const newest = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  if (!newest) throw new Error('PostgreSQL server binaries not found (apt-get install postgresql, or set PG_BIN_DIR)');
  return path.join(root, newest, 'bin');
}

/**
 * A PostgreSQL cluster of our own: initdb in `dir`, served on a spare port with trust auth, and
 * one database created. initdb refuses to run as root, so as root the cluster belongs to the
 * `postgres` user (ENVIRONMENT.md), who must be able to reach `dir`. A restart is
 * `pg_ctl stop -m fast` then `start`.
 */
export async function startOwnedPostgres(options: { dir: string; port?: number; database: string }): Promise<OwnedServer> {
  const bin = postgresBinDir();
  const port = options.port ?? (await freePort());
  const data = path.join(options.dir, 'data');
  const logFile = path.join(options.dir, 'postgres.log');
  await mkdir(options.dir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await chown(options.dir, ...(await postgresIds()));
  const asOwner = (tool: string, args: string[], timeoutMs = 60_000) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args], { timeout: timeoutMs })
      : run(path.join(bin, tool), args, { timeout: timeoutMs });
  const pgCtl = (args: string[]) => asOwner('pg_ctl', ['-D', data, '-t', '30', ...args]);
  const start = () => pgCtl(['-w', '-l', logFile, '-o', `-p ${port} -k ${options.dir} -c listen_addresses=127.0.0.1`, 'start']);
  const postmasterPid = () => Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  // Freeze the whole server: the postmaster and every backend it forked.
  const everyProcess = () => [postmasterPid(), ...childrenOf(postmasterPid())];

  await asOwner('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '--no-instructions']);
  await start();
  await run(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', options.database], { timeout: 30_000 });
  let stopped = false;
  return {
    kind: 'postgres',
    address: `postgresql://postgres@127.0.0.1:${port}/${options.database}`,
    port,
    pid: postmasterPid,
    freeze: () => everyProcess().forEach(freezeProcess),
    thaw: () => everyProcess().forEach(thawProcess),
    async restart({ downMs = 0 } = {}) {
      const stoppedAt = Date.now();
      await pgCtl(['-w', '-m', 'fast', 'stop']);
      await sleep(downMs);
      await start();
      return { stoppedAt, readyAt: Date.now() };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        everyProcess().forEach(thawProcess);
        await pgCtl(['-w', '-m', 'immediate', 'stop']);
      } catch {
        // already down, or never came up: the files go anyway
      }
      await rm(options.dir, { recursive: true, force: true });
    },
  };
}

async function postgresIds(): Promise<[number, number]> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return [Number(uid.stdout), Number(gid.stdout)];
}

/** Pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return children;
}
