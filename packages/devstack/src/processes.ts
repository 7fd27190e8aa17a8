import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

export const repoRoot = path.resolve(__dirname, '../../..');

export type AppName = 'gateway' | 'order-worker' | 'push-gateway' | 'web';

/**
 * `source` runs the TypeScript through tsx (no build needed: tests, dev);
 * `dist` runs the compiled output (`npm start`, after `turbo build`).
 */
export type RunMode = 'source' | 'dist';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A Node process we spawned: its output, its exit, and `stopProcess` to end it. */
export interface NodeProcess {
  name: string;
  child: ChildProcess;
  /** The last lines the process printed, for error messages ('' with `output: 'inherit'`). */
  recentOutput(): string;
  exited: Promise<ProcessExit>;
}

export interface AppProcess extends NodeProcess {
  app: AppName;
  port: number;
}

export interface NodeProcessOptions {
  /** Names the process in errors. */
  name: string;
  /** A `.ts` script runs through tsx with the workspace's source condition, a `.js` one on plain node. */
  script: string;
  /** The script's own arguments. */
  args?: readonly string[];
  cwd?: string;
  /** On top of this process's environment. */
  env?: Record<string, string>;
  /** Node flags (`--max-semi-space-size=64`, `--cpu-prof`, ...). */
  nodeFlags?: readonly string[];
  /** `collect` (default): kept for `recentOutput`, `waitForOutput` and `onLine`; `inherit`: printed as ours. */
  output?: 'collect' | 'inherit';
  /** Called with each line the process prints (collected output only). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** An IPC channel (`child.send`, `child.on('message')`). */
  ipc?: boolean;
  /** How IPC messages are serialized: `advanced` (structured clone) carries Maps, Sets and large arrays cheaply. */
  serialization?: 'json' | 'advanced';
  /** SIGKILL the process if ours exits first (a bench interrupted halfway leaves nothing behind). */
  killWithParent?: boolean;
}

/** Processes started with `killWithParent`: one `exit` listener for them all (not one each, past Node's listener warning). */
const killedWithUs = new Set<ChildProcess>();
function killAllWithUs(): void {
  for (const child of killedWithUs) child.kill('SIGKILL');
}

/** How many of the last lines `recentOutput` keeps. */
const RECENT_LINES = 50;

export function startNodeProcess(options: NodeProcessOptions): NodeProcess {
  const typescript = options.script.endsWith('.ts') ? ['--conditions=@seckill/source', '--import', 'tsx'] : [];
  const output = options.output === 'inherit' ? 'inherit' : 'pipe';
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), ...typescript, options.script, ...(options.args ?? [])], {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', output, output, ...(options.ipc ? (['ipc'] as const) : [])],
    ...(options.serialization ? { serialization: options.serialization } : {}),
  });
  const lines: string[] = [];
  const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (lines.length > RECENT_LINES) lines.shift();
      options.onLine?.(line, stream);
    }
  };
  child.stdout?.on('data', collect('stdout'));
  child.stderr?.on('data', collect('stderr'));
  const exited = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  if (options.killWithParent) {
    if (!process.listeners('exit').includes(killAllWithUs)) process.once('exit', killAllWithUs);
    killedWithUs.add(child);
    void exited.then(() => killedWithUs.delete(child));
  }
  return { name: options.name, child, recentOutput: () => lines.join('\n'), exited };
}

/** Values from the repo's `.env` (created on install); see `stackEnv` for the merged view. */
function readDotEnv(file = path.join(repoRoot, '.env')): Record<string, string> {
  if (!existsSync(file)) return {};
  return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
}

export function startApp(options: {
  app: AppName;
  name?: string;
  port: number;
  env: Record<string, string>;
  mode: RunMode;
  /** Node flags (source mode adds tsx's). */
  nodeFlags?: readonly string[];
  output?: NodeProcessOptions['output'];
  onLine?: NodeProcessOptions['onLine'];
  killWithParent?: boolean;
}): AppProcess {
  const appDir = path.join(repoRoot, 'apps', options.app);
  const proc = startNodeProcess({
    name: options.name ?? options.app,
    script: path.join(appDir, options.mode === 'dist' ? 'dist/main.js' : 'src/main.ts'),
    cwd: appDir,
    env: { ...options.env, PORT: String(options.port) },
    ...(options.nodeFlags ? { nodeFlags: options.nodeFlags } : {}),
    ...(options.output ? { output: options.output } : {}),
    ...(options.onLine ? { onLine: options.onLine } : {}),
    ...(options.killWithParent ? { killWithParent: true } : {}),
  });
  return { ...proc, app: options.app, port: options.port };
}

/**
 * Resolves with the first match of `pattern` in what the process printed (collected output), from
 * its start; rejects if it exits first or after `timeoutMs`.
 */
export function waitForOutput(proc: NodeProcess, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
  const streams = [proc.child.stdout, proc.child.stderr].filter((stream) => stream !== null);
  if (streams.length === 0) return Promise.reject(new Error(`${proc.name}: its output is not collected`));
  return new Promise((resolve, reject) => {
    let printed = proc.recentOutput();
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const stream of streams) stream.off('data', onData);
      outcome();
    };
    const check = () => {
      const match = pattern.exec(printed);
      if (match) settle(() => resolve(match));
    };
    const onData = (chunk: Buffer) => {
      printed += chunk.toString('utf8');
      check();
    };
    const timer = setTimeout(
      () => settle(() => reject(new Error(`${proc.name} did not print ${pattern} within ${timeoutMs} ms:\n${proc.recentOutput()}`))),
      timeoutMs,
    );
    for (const stream of streams) stream.on('data', onData);
    void proc.exited.then((exit) =>
      settle(() => reject(new Error(`${proc.name} exited (${describeExit(exit)}) before printing ${pattern}:\n${proc.recentOutput()}`))),
    );
    check();
  });
}

const describeExit = (exit: ProcessExit) => (exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`);

/** Wait until `GET /readyz` answers 200, or fail with what the process printed. */
export async function waitUntilReady(proc: AppProcess, timeoutMs = 60_000): Promise<void> {
  await waitUntilAnswers(proc, `http://127.0.0.1:${proc.port}/readyz`, timeoutMs);
}

/** Wait until `GET url` answers 2xx, or fail with what the process printed if it exits first or after `timeoutMs`. */
export async function waitUntilAnswers(proc: NodeProcess, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exit: ProcessExit | undefined;
  void proc.exited.then((status) => (exit = status));
  while (Date.now() < deadline) {
    if (exit) throw new Error(`${proc.name} exited (${describeExit(exit)}) before ${url} answered:\n${proc.recentOutput()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${proc.name}: ${url} did not answer within ${timeoutMs} ms:\n${proc.recentOutput()}`);
}

/** `signal` (SIGTERM by default), then SIGKILL if the process has not exited after `graceMs`; resolves with how it exited. */
export async function stopProcess(
  proc: NodeProcess,
  { signal = 'SIGTERM', graceMs = 10_000 }: { signal?: NodeJS.Signals; graceMs?: number } = {},
): Promise<ProcessExit> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) {
    proc.child.kill(signal);
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
    await proc.exited;
    clearTimeout(timer);
  }
  return proc.exited;
}

/** What the apps are started with: `.env`, overridden by the real environment. */
export function stackEnv(): Record<string, string> {
  const real = Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return { ...readDotEnv(), ...Object.fromEntries(real) };
}
