/** The server-side processes of bench/push.ts: our push nodes, the socket.io peer's nodes, the bare server, the emitter. */
import type { ChildProcess } from 'node:child_process';
import { waitUntilAnswers, type NodeProcess } from '@seckill/devstack';
import { emitterHandle, type EmitterHandle } from './emitter-protocol';
import { listenerPid } from './proc-stats';
import { freePort, MEASURED_SERVER_FLAGS, spawnTs, waitForOutput } from './processes';
import type { SessionTarget } from './sessions';

/** What every process of one run shares: services, the JWT secret, names unique to the run. */
export interface RunEnv {
  natsUrl: string;
  redisUrl: string;
  databaseUrl: string;
  authSecret: string;
  /** NATS subjects of ours. */
  subjectPrefix: string;
  /** Redis pub/sub channels of the peer. */
  peerKey: string;
}

/** One side as measured: its sessions' target and the server-side processes its CPU is counted on. */
export interface SideUnderTest {
  target: SessionTarget;
  nodes: ChildProcess[];
  /** The broker only this side uses during its rounds (NATS for ours, Redis for the peer), if found. */
  broker?: { name: string; pid: number };
}

export interface ServerNode {
  process: NodeProcess;
  url: string;
}

async function startPushNode(run: RunEnv): Promise<ServerNode & { metricsUrl: string }> {
  const port = await freePort();
  const nodeFlags = [...MEASURED_SERVER_FLAGS, ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)];
  const child = spawnTs(
    'src/main.ts',
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      AUTH_SECRET: run.authSecret,
      NATS_URL: run.natsUrl,
      REDIS_URL: run.redisUrl,
      DATABASE_URL: run.databaseUrl,
      NATS_SUBJECT_PREFIX: run.subjectPrefix,
    },
    { nodeFlags, printStdout: true },
  );
  await waitUntilAnswers(child, `http://127.0.0.1:${port}/readyz`, 30_000);
  return { process: child, url: `ws://127.0.0.1:${port}/ws`, metricsUrl: `http://127.0.0.1:${port}/metrics` };
}

async function startPeerNode(run: RunEnv): Promise<ServerNode> {
  const child = spawnTs(
    'bench/peer-server.ts',
    { AUTH_SECRET: run.authSecret, REDIS_URL: run.redisUrl, PEER_KEY: run.peerKey },
    { nodeFlags: MEASURED_SERVER_FLAGS },
  );
  const match = await waitForOutput(child, /listening (\d+)/);
  return { process: child, url: `ws://127.0.0.1:${match[1]}` };
}

export async function startPushNodes(run: RunEnv, count: number) {
  return Promise.all(Array.from({ length: count }, () => startPushNode(run)));
}

export async function startPeerNodes(run: RunEnv, count: number): Promise<ServerNode[]> {
  return Promise.all(Array.from({ length: count }, () => startPeerNode(run)));
}

export async function startBareServer(): Promise<ServerNode> {
  const child = spawnTs('bench/bare-server.ts', {}, { nodeFlags: MEASURED_SERVER_FLAGS });
  const match = await waitForOutput(child, /listening (\d+)/);
  return { process: child, url: `ws://127.0.0.1:${match[1]}` };
}

export async function startEmitter(run: RunEnv, bareUrl: string): Promise<{ process: NodeProcess; emitter: EmitterHandle }> {
  const child = spawnTs(
    'bench/emitter.ts',
    { NATS_URL: run.natsUrl, NATS_SUBJECT_PREFIX: run.subjectPrefix, REDIS_URL: run.redisUrl, PEER_KEY: run.peerKey, BARE_URL: bareUrl },
    { ipc: true },
  );
  await waitForOutput(child, /ready/);
  return { process: child, emitter: emitterHandle(child.child) };
}

/** The machine's broker process listening on `url`'s port, for its CPU time (`ss` must tell the pid). */
export function brokerListeningOn(name: string, url: string, defaultPort: number): SideUnderTest['broker'] {
  const pid = listenerPid(Number(new URL(url).port) || defaultPort);
  return pid ? { name, pid } : undefined;
}
