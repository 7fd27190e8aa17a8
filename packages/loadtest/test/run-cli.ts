import { spawn } from 'node:child_process';
import path from 'node:path';

const packageDir = path.resolve(__dirname, '..');

/** Run the CLI as `pnpm loadtest` does (tsx, workspace sources) and collect its output. */
export function runCli(args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<{ code: number | null; output: string }> {
  const timeoutMs = options.timeoutMs ?? 150_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@seckill/source', '--import', 'tsx', 'src/cli.ts', '--no-progress', ...args], {
      cwd: packageDir,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // SIGTERM first: the CLI then stops the apps and the servers it started before it exits.
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
      reject(new Error(`loadtest did not finish in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A small crowd (60 shoppers, 20 items, 2 shards) where every behaviour happens several times. */
export const smallCrowd = [
  '--users', '60', '--stock', '20', '--shards', '2',
  '--double-click', '0.2', '--triple-click', '0.1', '--cancel', '0.3', '--reconnect', '0.2',
  '--second-tab', '0.2', '--malformed', '0.1', '--bad-token', '0.1', '--early', '0.05',
  '--start-delay', '1000', '--timeout', '60000',
];
