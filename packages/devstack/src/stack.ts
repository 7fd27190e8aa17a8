import { stackEnv, startApp, stopApp, waitUntilReady, type AppProcess, type RunMode } from './processes';

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
}

export interface Stack {
  gatewayUrls: string[];
  pushUrls: string[];
  webUrl: string | undefined;
  processes: AppProcess[];
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Start the apps as separate processes on loopback ports, in the numbers asked,
 * and resolve once each answers `/readyz`. Ports: gateway 3000.., push 3001..
 * (3001, 3002, 3003 for three nodes), worker 3100.., web 8080 by default.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const env = { ...stackEnv(), ...options.env };
  const mode = options.mode ?? 'source';
  const gatewayBase = options.basePorts?.gateway ?? 3000;
  const pushBase = options.basePorts?.pushGateway ?? 3001;
  const workerBase = options.basePorts?.worker ?? 3100;
  const gateways = options.gateways ?? 1;
  const pushNodes = options.pushNodes ?? 1;
  const processes: AppProcess[] = [];
  const launch = (app: AppProcess['app'], name: string, port: number, extraEnv: Record<string, string> = {}) => {
    const proc = startApp({
      app,
      name,
      port,
      mode,
      env: { ...env, ...extraEnv },
      onLine: options.onLine && ((line) => options.onLine!(name, line)),
    });
    processes.push(proc);
    return proc;
  };

  // Extra gateways go to 3201.. so that push nodes keep 3001, 3002, ...
  const gatewayPorts = Array.from({ length: gateways }, (_, i) => (i === 0 ? gatewayBase : gatewayBase + 200 + i));
  const pushPorts = Array.from({ length: pushNodes }, (_, i) => pushBase + i);
  const pushUrls = pushPorts.map((port) => `ws://127.0.0.1:${port}/ws`);
  const gatewayUrls = gatewayPorts.map((port) => `http://127.0.0.1:${port}`);

  try {
    gatewayPorts.forEach((port, i) => launch('gateway', `gateway-${i + 1}`, port));
    for (let i = 0; i < (options.workers ?? 1); i++) {
      launch('order-worker', `order-worker-${i + 1}`, workerBase + i, { WORKER_ID: `worker-${i + 1}` });
    }
    pushPorts.forEach((port, i) => launch('push-gateway', `push-gateway-${i + 1}`, port, { NODE_ID: `push-${i + 1}` }));
    const webPort = options.basePorts?.web ?? 8080;
    if (options.web) {
      launch('web', 'web', webPort, { GATEWAY_URL: gatewayUrls[0]!, PUSH_URLS: pushUrls.join(',') });
    }
    await Promise.all(processes.map((proc) => waitUntilReady(proc)));
    return {
      gatewayUrls,
      pushUrls,
      webUrl: options.web ? `http://127.0.0.1:${webPort}` : undefined,
      processes,
      env,
      stop: () => stopAll(processes),
    };
  } catch (error) {
    await stopAll(processes);
    throw error;
  }
}

async function stopAll(processes: AppProcess[]): Promise<void> {
  await Promise.all(processes.map((proc) => stopApp(proc)));
}
