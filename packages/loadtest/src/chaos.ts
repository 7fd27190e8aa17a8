import type { AppName, ClusterNodeKind, OwnedServer } from '@seckill/devstack';

/**
 * Faults injected into a run's own processes during the herd (`--chaos NAME[:s][@ms]`): an app
 * SIGKILLed and restarted like a supervisor would, a server of the run's own frozen or
 * restarted, or one node of the clustered topology (`--cluster`, started by `infra up --cluster`)
 * SIGKILLed and started again by infra. `@ms` is the offset from the herd's instant; `:s` how
 * long the thing stays out.
 */
interface AppKill {
  kind: 'app-kill';
  app: Exclude<AppName, 'web'>;
  /** The option naming how many of these apps run, and the least the fault needs. */
  minimum: { option: 'gateways' | 'workers' | 'pushNodes'; count: number };
}
interface ServerFault {
  kind: 'freeze' | 'restart';
  server: OwnedServer['kind'];
}
/** One node of the cluster topology killed; the others carry on (its replica, the other brokers, the routed servers). */
interface NodeKill {
  kind: 'node-kill';
  node: ClusterNodeKind;
}
type FaultKind = (AppKill | ServerFault | NodeKill) & {
  /** Default offset from the herd's instant: where the action is in a run of any size. */
  atMs: number;
  /** Default seconds out (down before the restart, or frozen); undefined: `:s` is required. */
  seconds: number | undefined;
  description: string;
};

export const CHAOS_FAULTS = {
  'gateway-kill': {
    kind: 'app-kill',
    app: 'gateway',
    minimum: { option: 'gateways', count: 2 },
    atMs: 150,
    seconds: 1,
    description: 'SIGKILL the last gateway while the herd is in flight; started again after :s (default 1)',
  },
  'worker-kill': {
    kind: 'app-kill',
    app: 'order-worker',
    minimum: { option: 'workers', count: 1 },
    atMs: 300,
    seconds: 1,
    description: 'SIGKILL the last order worker while orders are being written; started again after :s (default 1)',
  },
  'push-kill': {
    kind: 'app-kill',
    app: 'push-gateway',
    minimum: { option: 'pushNodes', count: 2 },
    atMs: 300,
    seconds: 3,
    description:
      'SIGKILL the last push node while results are pushed (its shoppers reconnect to the others); started again after :s (default 3)',
  },
  'kafka-freeze': {
    kind: 'freeze',
    server: 'kafka',
    atMs: 20,
    seconds: undefined,
    description: "SIGSTOP the run's own Kafka broker for :s seconds, then SIGCONT",
  },
  'kafka-restart': {
    kind: 'restart',
    server: 'kafka',
    atMs: 20,
    seconds: 0,
    description: "stop the run's own Kafka broker (SIGTERM), start it again on the same data after :s (default 0)",
  },
  'redis-restart': {
    kind: 'restart',
    server: 'redis',
    atMs: 200,
    seconds: 0,
    description: "SIGKILL the run's own Redis (no persistence: a total loss), start it again empty on the same port after :s",
  },
  'nats-freeze': {
    kind: 'freeze',
    server: 'nats',
    atMs: 200,
    seconds: undefined,
    description: "SIGSTOP the run's own nats-server for :s seconds, then SIGCONT",
  },
  'postgres-restart': {
    kind: 'restart',
    server: 'postgres',
    atMs: 200,
    seconds: 0,
    description: "pg_ctl stop -m fast the run's own PostgreSQL cluster mid-sale, start it again after :s",
  },
  'redis-primary-kill': {
    kind: 'node-kill',
    node: 'redis',
    atMs: 200,
    seconds: 0,
    description:
      "(--cluster) SIGKILL the Redis primary serving the sale's slot; its replica takes over; the node starts again :s after (as a replica)",
  },
  'kafka-broker-kill': {
    kind: 'node-kill',
    node: 'kafka',
    atMs: 200,
    seconds: 5,
    description:
      "(--cluster) SIGKILL the Kafka broker coordinating the order workers' group (it leads a third of the partitions); started again after :s (default 5)",
  },
  'nats-node-kill': {
    kind: 'node-kill',
    node: 'nats',
    atMs: 300,
    seconds: 3,
    description:
      "(--cluster) SIGKILL the NATS server holding the most push nodes' connections (the apps reconnect to the others); started again after :s (default 3)",
  },
} as const satisfies Record<string, FaultKind>;

export type ChaosFaultName = keyof typeof CHAOS_FAULTS;

/** One fault as asked on the command line, with its defaults filled in. */
export interface ChaosSpec {
  /** As written, e.g. `kafka-freeze:8@500`. */
  text: string;
  fault: ChaosFaultName;
  /** ms after the herd's instant. */
  atMs: number;
  /** How long the target stays out (down, or frozen). */
  seconds: number;
}

const SPEC = /^([a-z-]+)(?::(\d+(?:\.\d+)?))?(?:@(\d+))?$/;

/** Parse `NAME[:s][@ms]`; throws an Error whose message is fit for a usage line. */
export function parseChaosSpec(text: string): ChaosSpec {
  const match = SPEC.exec(text.trim());
  const name = match?.[1];
  if (!match || !name || !(name in CHAOS_FAULTS)) {
    throw new Error(`--chaos takes NAME[:s][@ms] with NAME one of ${Object.keys(CHAOS_FAULTS).join(', ')}; got "${text}"`);
  }
  const fault = name as ChaosFaultName;
  const kind: FaultKind = CHAOS_FAULTS[fault];
  const seconds = match[2] !== undefined ? Number(match[2]) : kind.seconds;
  if (seconds === undefined) throw new Error(`--chaos ${fault} needs its duration in seconds: ${fault}:<s>, e.g. ${fault}:8`);
  if (seconds > 600) throw new Error(`--chaos ${text}: at most 600 s out`);
  return { text: text.trim(), fault, atMs: match[3] !== undefined ? Number(match[3]) : kind.atMs, seconds };
}

/** The servers the run must own for these faults (never the machine's shared ones). */
export function ownedServersFor(specs: readonly ChaosSpec[]): Array<OwnedServer['kind']> {
  const kinds = new Set<OwnedServer['kind']>();
  for (const spec of specs) {
    const kind: FaultKind = CHAOS_FAULTS[spec.fault];
    if (kind.kind === 'freeze' || kind.kind === 'restart') kinds.add(kind.server);
  }
  return [...kinds];
}

/** Why these faults cannot run with these apps, or undefined. */
export function chaosTopologyProblem(
  specs: readonly ChaosSpec[],
  apps: { external: boolean; cluster: boolean; gateways: number; workers: number; pushNodes: number },
): string | undefined {
  if (specs.length && apps.external) return '--chaos needs the apps and servers the run starts itself (not --external)';
  for (const spec of specs) {
    const kind: FaultKind = CHAOS_FAULTS[spec.fault];
    if (kind.kind === 'node-kill' && !apps.cluster) return `--chaos ${spec.fault} kills a node of the cluster topology: add --cluster`;
    // A server of the run's own would take the cluster's place; PostgreSQL is one server either way.
    if ((kind.kind === 'freeze' || kind.kind === 'restart') && kind.server !== 'postgres' && apps.cluster) {
      return `--chaos ${spec.fault} acts on a single ${kind.server} server of the run's own: not with --cluster (whose faults are the node kills)`;
    }
    if (kind.kind === 'app-kill' && apps[kind.minimum.option] < kind.minimum.count) {
      const flag = { gateways: '--gateways', workers: '--workers', pushNodes: '--push-nodes' }[kind.minimum.option];
      return `--chaos ${spec.fault} needs ${flag} ≥ ${kind.minimum.count}`;
    }
  }
  return undefined;
}

export function faultKind(fault: ChaosFaultName): FaultKind {
  return CHAOS_FAULTS[fault];
}

/** The usage lines describing every fault. */
export function chaosUsage(): string {
  return Object.entries(CHAOS_FAULTS)
    .map(
      ([name, kind]) =>
        `                       ${`${name}${kind.seconds === undefined ? ':<s>' : ''}`.padEnd(17)} ${kind.description} (default @${kind.atMs})`,
    )
    .join('\n');
}
