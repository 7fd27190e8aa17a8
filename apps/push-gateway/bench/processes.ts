/** The bench's child processes: spawned under tsx, never left behind. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const appRoot = path.resolve(__dirname, '..');
const children: ChildProcess[] = [];

// Never leave a node, a shard or the emitter behind, whatever happens to the bench.
process.on('exit', () => {
  for (const child of children) if (isRunning(child)) child.kill('SIGKILL');
});
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Node flags of a server whose RSS is read: `settledRssKib` can then have it collect its garbage first. */
export const MEASURED_SERVER_FLAGS = ['--expose-gc', '--require', path.join(__dirname, 'gc-on-signal.cjs')];

/** `script` (relative to the app) under tsx with the source condition; stdout piped, stderr inherited. */
export function spawnTs(script: string, env: Record<string, string>, options: { nodeFlags?: string[]; ipc?: boolean } = {}): ChildProcess {
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), '--import', 'tsx', '--conditions=@seckill/source', script], {
    cwd: appRoot,
    env: { ...process.env, ...env },
    stdio: options.ipc ? ['ignore', 'pipe', 'inherit', 'ipc'] : ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return child;
}

/** Resolves with the first stdout match of `pattern`; rejects if the child exits first. */
export function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) {
        child.stdout!.off('data', onData);
        resolve(match);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });
}

/** SIGTERM each child still running and wait for it to exit. */
export async function stopProcesses(processes: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    processes.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (!isRunning(child)) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
