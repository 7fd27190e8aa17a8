import { stackEnv, startApp, stopProcess, waitUntilReady, type AppName, type AppProcess, type RunMode } from './processes';

export interface StackOptions {
  gateways?: number;
  workers?: number;
  pushNodes?: number;
  web?: boolean;
  mode?: RunMode;
  /** Overrides on top of the real environment and `.env` (e.g. a fresh topic for a test). */
  env?: Record<string, string>;
  basePorts?: { gateway?: number; pushGateway?: number; worker?: number; web?: number };
  onLine?: (name: string, line: string) => void;
  /**
   * Start again, after `restartAfterMs`, an app that exits on its own (a supervisor's job):
   * `onExit` hears of the exit at once, `onRestart` of the same record completed once it is ready (or failed).
   */
  supervise?: { restartAfterMs: number; onExit?: (exit: AppRestart) => void; onRestart?: (restart: AppRestart) => void };
}

/** One app that went away and was started again on the same port. Times are epoch ms. */
export interface AppRestart {
  name: string;
  /** `killed` by `Stack.kill`, or `exited` on its own (then restarted by the supervisor). */
  cause: 'killed' | 'exited';
  pid: number | undefined;
  exitCode: number | null;
  signal: string | null;
  exitedAt: number;
  restartedAt?: number;
  newPid?: number;
  /** When the new process answered `/readyz`. */
  readyAt?: number;
  /** Why it could not be started again. */
  error?: string;
}

export interface Stack {
  gatewayUrls: string[];
  pushUrls: string[];
  webUrl: string | undefined;
  /** The processes running now (a restarted app's new process replaces the old one). */
  readonly processes: AppProcess[];
  env: Record<string, string>;
  /** SIGKILL the app `name` (e.g. `gateway-2`), start it again on its port after `restartAfterMs`; resolves once it is ready. */
  kill(name: string, options?: { restartAfterMs?: number }): Promise<AppRestart>;
  stop(): Promise<void>;
}

interface Slot {
  app: AppName;
  name: string;
  port: number;
  extraEnv: Record<string, string>;
  proc: AppProcess;
  /** Set while `kill` owns the restart, so the supervisor leaves the slot alone. */
  killing: boolean;
}

/** Where `startStack` puts each app, so callers can prepare clients before the apps are up. */
export function stackUrls(options: Pick<StackOptions, 'gateways' | 'pushNodes' | 'basePorts'> = {}) {
  const gatewayBase = options.basePorts?.gateway ?? 3000;
  const pushBase = options.basePorts?.pushGateway ?? 3001;
  // Extra gateways go to 3201.. so that push nodes keep 3001, 3002, ...
  const gatewayPorts = Array.from({ length: options.gateways ?? 1 }, (_, i) => (i === 0 ? gatewayBase : gatewayBase + 200 + i));
  const pushPorts = Array.from({ length: options.pushNodes ?? 1 }, (_, i) => pushBase + i);
  return {
    gatewayPorts,
    pushPorts,
    gatewayUrls: gatewayPorts.map((port) => `http://127.0.0.1:${port}`),
    pushUrls: pushPorts.map((port) => `ws://127.0.0.1:${port}/ws`),
  };
}

/** A restarted app has this long to answer /readyz (a worker may wait for its group to rebalance). */
const RESTART_READY_TIMEOUT_MS = 120_000;

/**
 * Start the apps as separate processes on loopback ports, in the numbers asked,
 * and resolve once each answers `/readyz`. Ports: gateway 3000.., push 3001..
 * (3001, 3002, 3003 for three nodes), worker 3100.., web 8080 by default.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const env = { ...stackEnv(), ...options.env };
  const mode = options.mode ?? 'source';
  const workerBase = options.basePorts?.worker ?? 3100;
  const { gatewayPorts, pushPorts, gatewayUrls, pushUrls } = stackUrls(options);
  const slots: Slot[] = [];
  let stopping = false;
  const spawnInto = (slot: Omit<Slot, 'proc' | 'killing'>): AppProcess =>
    startApp({
      app: slot.app,
      name: slot.name,
      port: slot.port,
      mode,
      env: { ...env, ...slot.extraEnv },
      onLine: options.onLine && ((line) => options.onLine!(slot.name, line)),
    });

  /** Start the slot's app again after `delayMs`; resolves with the completed record once it is ready (or failed). */
  async function restart(slot: Slot, record: AppRestart, delayMs: number): Promise<AppRestart> {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (stopping) return { ...record, error: 'the stack was stopping' };
    slot.proc = spawnInto(slot);
    watch(slot);
    const started: AppRestart = {
      ...record,
      restartedAt: Date.now(),
      ...(slot.proc.child.pid !== undefined ? { newPid: slot.proc.child.pid } : {}),
    };
    try {
      await waitUntilReady(slot.proc, RESTART_READY_TIMEOUT_MS);
      return { ...started, readyAt: Date.now() };
    } catch (error) {
      return { ...started, error: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
    }
  }

  function exitRecord(slot: Slot, proc: AppProcess, cause: AppRestart['cause']): AppRestart {
    return {
      name: slot.name,
      cause,
      pid: proc.child.pid,
      exitCode: proc.child.exitCode,
      signal: proc.child.signalCode,
      exitedAt: Date.now(),
    };
  }

  function watch(slot: Slot): void {
    const proc = slot.proc;
    void proc.exited.then(() => {
      if (stopping || slot.killing || slot.proc !== proc || !options.supervise) return;
      const supervise = options.supervise;
      const exit = exitRecord(slot, proc, 'exited');
      supervise.onExit?.(exit);
      void restart(slot, exit, supervise.restartAfterMs).then((record) => supervise.onRestart?.(record));
    });
  }

  const launch = (app: AppName, name: string, port: number, extraEnv: Record<string, string> = {}) => {
    const slot = { app, name, port, extraEnv, killing: false } as Slot;
    slot.proc = spawnInto(slot);
    slots.push(slot);
    watch(slot);
  };

  try {
    gatewayPorts.forEach((port, i) => launch('gateway', `gateway-${i + 1}`, port));
    for (let i = 0; i < (options.workers ?? 1); i++) {
      launch('order-worker', `order-worker-${i + 1}`, workerBase + i, { WORKER_ID: `worker-${i + 1}` });
    }
    pushPorts.forEach((port, i) => launch('push-gateway', `push-gateway-${i + 1}`, port));
    const webPort = options.basePorts?.web ?? 8080;
    if (options.web) {
      // A development stack is a demo: its shop page signs shoppers in by name.
      launch('web', 'web', webPort, { GATEWAY_URL: gatewayUrls[0]!, PUSH_URLS: pushUrls.join(','), DEMO_LOGIN: 'true' });
    }
    await Promise.all(slots.map((slot) => waitUntilReady(slot.proc)));
    return {
      gatewayUrls,
      pushUrls,
      webUrl: options.web ? `http://127.0.0.1:${webPort}` : undefined,
      get processes() {
        return slots.map((slot) => slot.proc);
      },
      env,
      async kill(name, { restartAfterMs = 0 } = {}) {
        const slot = slots.find((candidate) => candidate.name === name);
        if (!slot) throw new Error(`no app named ${name} (have ${slots.map((s) => s.name).join(', ')})`);
        const proc = slot.proc;
        slot.killing = true;
        try {
          proc.child.kill('SIGKILL');
          await proc.exited;
          return await restart(slot, exitRecord(slot, proc, 'killed'), restartAfterMs);
        } finally {
          slot.killing = false;
        }
      },
      stop: async () => {
        stopping = true;
        await stopAll(slots);
      },
    };
  } catch (error) {
    stopping = true;
    await stopAll(slots);
    throw error;
  }
}

async function stopAll(slots: Slot[]): Promise<void> {
  await Promise.all(slots.map((slot) => stopProcess(slot.proc)));
}
