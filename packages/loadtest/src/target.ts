import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  deleteOrderTopics,
  freshOrderTopics,
  repoRoot,
  stackEnv,
  stackUrls,
  startStack,
  upClusterTopology,
  type AppRestart,
  type ClusterTopology,
  type Stack,
} from '@seckill/devstack';
import { ownedServersFor } from './chaos';
import type { LoadtestOptions } from './options';
import { startOwnedServers, type OwnedServers } from './owned-servers';

/** The system under test: apps started here (with the servers its faults need), or a deployment already running. */
export interface Target {
  mode: 'devstack' | 'external';
  gatewayUrls: string[];
  pushUrls: string[];
  env: Record<string, string>;
  workers: number | undefined;
  /** How the started apps run (source through tsx, or the built dist). */
  runMode?: 'source' | 'dist';
  /** The started apps (to kill one); undefined with --external. */
  stack?: Stack;
  /** Servers of the run's own, for the faults that act on them. */
  owned: OwnedServers;
  /** With --cluster: the Redis Cluster, Kafka brokers and NATS servers of `infra up --cluster`. */
  cluster?: ClusterTopology;
  /** Apps that exited on their own and were started again by the supervisor, as they happen. */
  restarts: AppRestart[];
  stop(): Promise<void>;
}

/** Where the apps will listen, known before they start (so the shoppers can be prepared meanwhile). */
export function plannedUrls(options: LoadtestOptions): { gatewayUrls: string[]; pushUrls: string[] } {
  if (options.external) return { gatewayUrls: options.gatewayUrls, pushUrls: options.pushUrls };
  return stackUrls({ gateways: options.gateways, pushNodes: options.pushNodes, basePorts: basePorts(options) });
}

const basePorts = (options: LoadtestOptions) => ({
  gateway: options.basePort,
  pushGateway: options.basePort + 1,
  worker: options.basePort + 100,
});
/** A supervisor starts an app that died on its own again after this long. */
const SUPERVISOR_RESTART_MS = 1_000;

const APPS = ['gateway', 'order-worker', 'push-gateway'] as const;

/** dist when every app's build is newer than its newest source file, else source (tsx). */
export function chooseRunMode(requested: LoadtestOptions['mode']): 'source' | 'dist' {
  if (requested !== 'auto') return requested;
  const fresh = APPS.every((app) => {
    const built = path.join(repoRoot, 'apps', app, 'dist', 'main.js');
    return existsSync(built) && statSync(built).mtimeMs >= newestMtime(path.join(repoRoot, 'apps', app, 'src'));
  });
  return fresh ? 'dist' : 'source';
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

export async function startTarget(options: LoadtestOptions, runId: string, onLine: (name: string, line: string) => void): Promise<Target> {
  if (options.external) {
    const env = stackEnv();
    return {
      mode: 'external',
      gatewayUrls: options.gatewayUrls,
      pushUrls: options.pushUrls,
      env,
      workers: undefined,
      owned: {},
      restarts: [],
      stop: async () => {},
    };
  }
  const owned = await startOwnedServers(ownedServersFor(options.chaos), runId);
  let cluster: ClusterTopology | undefined;
  try {
    cluster = options.cluster ? await upClusterTopology() : undefined;
    const servers = { ...cluster?.env, ...owned.env };
    // Fresh topic and consumer group: a running `npm start` or another test never sees our orders.
    // 12 partitions like `seckill.orders` (infra), so several workers share the load; on the
    // cluster, replicated as the brokers' defaults say (3 copies, 2 in sync for a write).
    const kafka = { brokers: (servers.KAFKA_BROKERS ?? stackEnv().KAFKA_BROKERS ?? '127.0.0.1:9092').split(',') };
    const names = await freshOrderTopics(`loadtest-${runId}`, { ...kafka, partitions: 12 });
    const runMode = chooseRunMode(options.mode);
    const restarts: AppRestart[] = [];
    const stack: Stack = await startStack({
      gateways: options.gateways,
      workers: options.workers,
      pushNodes: options.pushNodes,
      web: false,
      mode: runMode,
      env: {
        ...names,
        LOG_LEVEL: options.verbose ? 'info' : 'warn',
        // The whole herd comes from a few loopback addresses: a per-IP limit would measure itself.
        RATE_LIMIT_PER_IP_PER_MIN: '0',
        HOST: '127.0.0.1',
        ...servers,
        ...options.appEnv,
      },
      basePorts: basePorts(options),
      onLine,
      supervise: {
        restartAfterMs: SUPERVISOR_RESTART_MS,
        onExit: (exit) => restarts.push(exit),
        onRestart: (restart) => {
          const exit = restarts.findIndex((r) => r.name === restart.name && r.exitedAt === restart.exitedAt);
          if (exit >= 0) restarts[exit] = restart;
          else restarts.push(restart);
        },
      },
    });
    return {
      mode: 'devstack',
      gatewayUrls: stack.gatewayUrls,
      pushUrls: stack.pushUrls,
      env: stack.env,
      workers: options.workers,
      runMode,
      stack,
      owned: owned.servers,
      ...(cluster ? { cluster } : {}),
      restarts,
      stop: async () => {
        try {
          await stack.stop();
          // An owned broker goes away with its topics.
          if (!owned.servers.kafka) await deleteOrderTopics(names, kafka).catch(() => undefined);
        } finally {
          await owned.stop();
          // The machine as found: a cluster this run started stops with it.
          if (cluster?.startedHere) await cluster.down().catch(() => undefined);
        }
      },
    };
  } catch (error) {
    await owned.stop();
    if (cluster?.startedHere) await cluster.down().catch(() => undefined);
    throw error;
  }
}
