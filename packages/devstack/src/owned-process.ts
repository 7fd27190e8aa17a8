import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer, connect } from 'node:net';

/**
 * Servers of our own (a Redis, a NATS, a Kafka broker, a PostgreSQL cluster) started on spare
 * loopback ports for fault tests: we may freeze, kill and restart them, never the machine's
 * shared ones. This file holds what they share: ports, spawning, waiting, bounded stops.
 */

/** A port the kernel says is free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll `probe` every 100 ms until it holds; fail after `timeoutMs` with `what` and `hint()`. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
  hint: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms${hint() ? `\n${hint()}` : ''}`);
    await sleep(100);
  }
}

/** One server process we spawned, with its output appended to a log file. */
export interface OwnedChild {
  child: ChildProcess;
  pid: number;
  exited: Promise<void>;
  /** SIGTERM (or `signal`), then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(options?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<void>;
}

export function spawnOwned(command: string, args: readonly string[], options: { logFile: string; env?: NodeJS.ProcessEnv }): OwnedChild {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => log.end());
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  return {
    child,
    pid: child.pid,
    exited,
    async stop({ signal = 'SIGTERM', graceMs = 10_000 } = {}) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // A frozen process cannot act on SIGTERM until it runs again.
      child.kill('SIGCONT');
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** SIGSTOP / SIGCONT a process by pid (a freeze: it keeps its sockets but answers nothing). */
export function freezeProcess(pid: number): void {
  process.kill(pid, 'SIGSTOP');
}

export function thawProcess(pid: number): void {
  process.kill(pid, 'SIGCONT');
}
