import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../../..');

export type AppName = 'gateway' | 'order-worker' | 'push-gateway' | 'web';

/**
 * `source` runs the TypeScript through tsx (no build needed: tests, dev);
 * `dist` runs the compiled output (`npm start`, after `turbo build`).
 */
export type RunMode = 'source' | 'dist';

export interface AppProcess {
  app: AppName;
  name: string;
  port: number;
  child: ChildProcess;
  /** The last lines the process printed, for error messages. */
  recentOutput(): string;
  exited: Promise<number | null>;
}

/** Values from the repo's `.env` (created on install); see `stackEnv` for the merged view. */
function readDotEnv(file = path.join(repoRoot, '.env')): Record<string, string> {
  if (!existsSync(file)) return {};
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [match[1]!, match[2]!] as const);
  return Object.fromEntries(entries);
}

export function startApp(options: {
  app: AppName;
  name?: string;
  port: number;
  env: Record<string, string>;
  mode: RunMode;
  /** Called with each line the process prints (already prefixed by nothing). */
  onLine?: (line: string) => void;
}): AppProcess {
  const appDir = path.join(repoRoot, 'apps', options.app);
  const args =
    options.mode === 'dist'
      ? [path.join(appDir, 'dist/main.js')]
      : ['--conditions=@seckill/source', '--import', 'tsx', path.join(appDir, 'src/main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: appDir,
    env: { ...process.env, ...options.env, PORT: String(options.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (lines.length > 50) lines.shift();
      options.onLine?.(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    app: options.app,
    name: options.name ?? options.app,
    port: options.port,
    child,
    recentOutput: () => lines.join('\n'),
    exited,
  };
}

/** Wait until `GET /readyz` answers 200, or fail with what the process printed. */
export async function waitUntilReady(proc: AppProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void proc.exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`${proc.name} exited with code ${exitCode} before becoming ready:\n${proc.recentOutput()}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${proc.port}/readyz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${proc.name} not ready on port ${proc.port} after ${timeoutMs} ms:\n${proc.recentOutput()}`);
}

/** SIGTERM, then SIGKILL if the process has not exited after `graceMs`. */
export async function stopApp(proc: AppProcess, graceMs = 10_000): Promise<number | null> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return proc.child.exitCode;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  const code = await proc.exited;
  clearTimeout(timer);
  return code;
}

/** What the apps are started with: `.env`, overridden by the real environment. */
export function stackEnv(): Record<string, string> {
  const real = Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return { ...readDotEnv(), ...Object.fromEntries(real) };
}
