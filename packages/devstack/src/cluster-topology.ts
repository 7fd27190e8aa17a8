import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './processes';

const run = promisify(execFile);
const infraScript = path.join(repoRoot, 'infra', 'bin', 'infra');
/** Where `infra up --cluster` keeps each node's folder and pid (infra/bin/cluster.sh). */
const clusterDir = path.join(repoRoot, '.infra', 'cluster');
/** A Kafka node (re)starting on 2 busy cores takes 10-30 s; the first start of all three, more. */
const INFRA_TIMEOUT_MS = 240_000;

export type ClusterNodeKind = 'redis' | 'kafka' | 'nats';

/** One process of the clustered topology, started by `infra up --cluster`. */
export interface ClusterNode {
  kind: ClusterNodeKind;
  /** Its client port on 127.0.0.1. */
  port: number;
  /** Kafka's node.id; the port for Redis and NATS. */
  id: number;
  pid: number;
}

/** The apps' variables for the cluster, as `infra up --cluster` writes them. */
export interface ClusterEnv {
  REDIS_URL: string;
  KAFKA_BROKERS: string;
  NATS_URL: string;
}

export interface ClusterTopology {
  env: ClusterEnv;
  /** Whether `upClusterTopology` started it (it was not all running before). */
  startedHere: boolean;
  /** The nodes of a kind that are running now (their pid checked against what infra started). */
  nodes(kind: ClusterNodeKind): ClusterNode[];
  /** SIGKILL one node infra started; refuses any other process. */
  kill(node: ClusterNode): void;
  /** Start again every node that is down (`infra up --cluster`); resolves once all serve. */
  heal(): Promise<void>;
  /** Stop every node (`infra down --cluster`). */
  down(): Promise<void>;
}

/**
 * The Redis Cluster, Kafka brokers and NATS servers of `infra up --cluster`, started (or found
 * running) through infra itself, so a run's faults act on nodes infra started and on nothing
 * else, and a killed node comes back the way infra starts it.
 */
export async function upClusterTopology(): Promise<ClusterTopology> {
  const running = await infra('status').then(
    () => true,
    () => false,
  );
  await infraUp();
  const env = readClusterEnv();
  return {
    env,
    startedHere: !running,
    nodes: (kind) => listNodes(kind),
    kill(node) {
      const current = listNodes(node.kind).find((candidate) => candidate.pid === node.pid);
      if (!current) throw new Error(`pid ${node.pid} is not a running ${node.kind} node of infra up --cluster`);
      process.kill(current.pid, 'SIGKILL');
    },
    heal: infraUp,
    down: () => infra('down'),
  };
}

const infraUp = () => infra('up');

async function infra(command: 'up' | 'down' | 'status'): Promise<void> {
  try {
    await run('bash', [infraScript, command, '--cluster'], { timeout: INFRA_TIMEOUT_MS });
  } catch (error) {
    const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`infra ${command} --cluster failed: ${(stderr ?? '').trim() || (stdout ?? '').trim() || message}`, { cause: error });
  }
}

function readClusterEnv(): ClusterEnv {
  const values = Object.fromEntries(
    readFileSync(path.join(clusterDir, 'cluster.env'), 'utf8')
      .split('\n')
      .map((line) => /^([A-Z_]+)=(.*)$/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => [match[1]!, match[2]!]),
  );
  for (const name of ['REDIS_URL', 'KAFKA_BROKERS', 'NATS_URL']) {
    if (!values[name]) throw new Error(`${clusterDir}/cluster.env has no ${name}; run: pnpm infra:up --cluster`);
  }
  return values as unknown as ClusterEnv;
}

/** A node folder of infra's: `redis-<port>`, `kafka-<node id>`, `nats-<port>`, each with its pid file. */
function listNodes(kind: ClusterNodeKind): ClusterNode[] {
  if (!existsSync(clusterDir)) return [];
  const nodes: ClusterNode[] = [];
  for (const entry of readdirSync(clusterDir)) {
    const match = new RegExp(`^${kind}-(\\d+)$`).exec(entry);
    if (!match) continue;
    const dir = path.join(clusterDir, entry);
    const id = Number(match[1]);
    const port = kind === 'kafka' ? kafkaPort(dir) : id;
    const [pidFile, mustContain] = {
      redis: ['redis.pid', ['redis-server', `:${port}`]],
      kafka: ['kafka.pid', ['kafka.Kafka', path.join(dir, 'server.properties')]],
      nats: ['nats.pid', ['nats-server', String(port)]],
    }[kind] as [string, string[]];
    const pid = runningPid(path.join(dir, pidFile), mustContain);
    if (pid !== undefined && port !== undefined) nodes.push({ kind, port, id, pid });
  }
  return nodes.sort((a, b) => a.id - b.id);
}

function kafkaPort(dir: string): number | undefined {
  const file = path.join(dir, 'server.properties');
  const match = existsSync(file) ? /^advertised\.listeners=PLAINTEXT:\/\/[^:]+:(\d+)/m.exec(readFileSync(file, 'utf8')) : null;
  return match ? Number(match[1]) : undefined;
}

/** The pid in `file` when that process runs and its command line has every word (a reused pid is not ours). */
function runningPid(file: string, mustContain: readonly string[]): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return Number.isInteger(pid) && mustContain.every((word) => commandLine.includes(word)) ? pid : undefined;
  } catch {
    return undefined;
  }
}
