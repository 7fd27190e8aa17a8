import type { ClusterNode, ClusterNodeKind, ClusterTopology } from '@seckill/devstack';
import { createKafka, createLogger, createRedis } from '@seckill/platform';
import { redisKeys } from '@seckill/redis-state';

/** What a node kill reports as it goes (times epoch ms). */
export interface NodeKillSteps {
  killed(at: number, detail: string): void;
  step(detail: string): void;
  healed(at: number, detail: string): void;
}

export interface NodeKillOptions {
  kind: ClusterNodeKind;
  cluster: ClusterTopology;
  saleId: string;
  ordersTopic: string;
  workerGroup: string;
  /** How long the node stays down (for Redis: after its replica took over). */
  downMs: number;
  /** `+N ms` from the herd's instant, for the details. */
  at: (epoch: number) => string;
  steps: NodeKillSteps;
}

/** A failover, or leaders moving, is awaited at most this long before the node is started again anyway. */
const TAKEOVER_TIMEOUT_MS = 30_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const address = (node: ClusterNode) => `127.0.0.1:${node.port}`;

/**
 * SIGKILL the node of `kind` that matters most to this run, see the cluster carry on without it,
 * then start it again through infra. Only nodes `infra up --cluster` started are ever touched.
 */
export async function killClusterNode(options: NodeKillOptions): Promise<void> {
  const kill = { redis: killRedisPrimary, kafka: killKafkaBroker, nats: killNatsServer }[options.kind];
  const victim = await kill(options);
  const { cluster, steps } = options;
  await cluster.heal();
  const healedAt = Date.now();
  const back = cluster.nodes(options.kind).find((node) => node.port === victim.port);
  const role =
    options.kind === 'redis'
      ? await askRedis(victim.port, (redis) => redis.role()).then(
          ([name]) => ` as a ${name === 'slave' ? 'replica' : name}`,
          () => '',
        )
      : '';
  steps.healed(healedAt, `infra up --cluster started it again${back ? ` (pid ${back.pid})` : ''}${role} at ${options.at(healedAt)}`);
}

async function askRedis<T>(port: number, query: (redis: ReturnType<typeof createRedis>) => Promise<T>): Promise<T> {
  const redis = createRedis(`redis://127.0.0.1:${port}`, { name: 'seckill-loadtest-chaos', commandTimeoutMs: 1_000 });
  try {
    return await query(redis);
  } finally {
    redis.disconnect();
  }
}

/** The primary serving the sale's slot; its replica must take the slot over. */
async function killRedisPrimary({ cluster, saleId, downMs, at, steps }: NodeKillOptions): Promise<ClusterNode> {
  const nodes = cluster.nodes('redis');
  const slot = Number(await askRedis(nodes[0]!.port, (redis) => redis.call('CLUSTER', 'KEYSLOT', redisKeys.saleInfo(saleId))));
  const primaryPort = async (askPort: number) => {
    const ranges = await askRedis(askPort, (redis) => redis.cluster('SLOTS'));
    return ranges.find(([from, to]) => slot >= from && slot <= to)?.[2]?.[1];
  };
  const victimPort = await primaryPort(nodes[0]!.port);
  const victim = nodes.find((node) => node.port === victimPort);
  if (!victim) throw new Error(`no Redis node of infra serves slot ${slot} (primary ${victimPort})`);
  cluster.kill(victim);
  steps.killed(
    Date.now(),
    `SIGKILL redis primary ${address(victim)} (pid ${victim.pid}), serving the sale's slot ${slot}, at ${at(Date.now())}`,
  );

  const witness = nodes.find((node) => node !== victim)!;
  const deadline = Date.now() + TAKEOVER_TIMEOUT_MS;
  for (;;) {
    const now = await primaryPort(witness.port).catch(() => victim.port);
    if (now !== undefined && now !== victim.port) {
      steps.step(`its replica 127.0.0.1:${now} took the slot over at ${at(Date.now())}`);
      break;
    }
    if (Date.now() > deadline) {
      steps.step(`no replica took the slot over within ${TAKEOVER_TIMEOUT_MS} ms`);
      break;
    }
    await sleep(100);
  }
  await sleep(downMs);
  return victim;
}

/** The coordinator of the order workers' group, which also leads about a third of the orders partitions. */
async function killKafkaBroker({ cluster, ordersTopic, workerGroup, downMs, at, steps }: NodeKillOptions): Promise<ClusterNode> {
  const admin = createKafka({
    clientId: 'seckill-loadtest-chaos',
    brokers: cluster.env.KAFKA_BROKERS.split(','),
    logger: createLogger({ name: 'loadtest-chaos', level: 'silent' }),
    requestTimeoutMs: 3_000,
  }).admin();
  await admin.connect();
  try {
    const leaders = async (topic: string) => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions ?? [];
    const offsets = await leaders('__consumer_offsets');
    const coordinatorPartition = javaAbs(javaStringHash(workerGroup)) % offsets.length;
    const coordinator = offsets.find((partition) => partition.partitionId === coordinatorPartition)?.leader;
    const victim = cluster.nodes('kafka').find((node) => node.id === coordinator);
    if (!victim) throw new Error(`the coordinator of ${workerGroup} (node ${coordinator}) is not a running node of infra`);
    const led = (await leaders(ordersTopic)).filter((partition) => partition.leader === victim.id).length;
    cluster.kill(victim);
    steps.killed(
      Date.now(),
      `SIGKILL kafka node ${victim.id} ${address(victim)} (pid ${victim.pid}), coordinator of the workers' group, leader of ${led} orders partitions, at ${at(Date.now())}`,
    );
    const killedAt = Date.now();
    const deadline = killedAt + TAKEOVER_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const stillLed = await leaders(ordersTopic).then(
        (partitions) => partitions.some((partition) => partition.leader === victim.id),
        () => true,
      );
      if (!stillLed) {
        steps.step(`its partitions led by the other brokers at ${at(Date.now())}`);
        break;
      }
      await sleep(200);
    }
    await sleep(Math.max(0, killedAt + downMs - Date.now()));
    return victim;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * The NATS server holding the most push nodes' connections (then the most connections): its push
 * nodes miss what is published until they are back on another server. Its monitoring port is
 * infra's client port + 4000.
 */
async function killNatsServer({ cluster, downMs, at, steps }: NodeKillOptions): Promise<ClusterNode> {
  const nodes = cluster.nodes('nats');
  const clients = await Promise.all(
    nodes.map(async (node) => {
      const response = await fetch(`http://127.0.0.1:${node.port + 4000}/connz`, { signal: AbortSignal.timeout(2_000) });
      return (
        ((await response.json()) as { connections?: Array<{ name?: string }> }).connections?.map((connection) => connection.name ?? '?') ??
        []
      );
    }),
  );
  const score = (names: string[]) => names.filter((name) => name.startsWith('push-gateway')).length * 1000 + names.length;
  const busiest = clients.reduce((best, names, i) => (score(names) > score(clients[best]!) ? i : best), 0);
  const victim = nodes[busiest];
  if (!victim) throw new Error('no NATS server of infra is running');
  cluster.kill(victim);
  steps.killed(
    Date.now(),
    `SIGKILL nats server ${address(victim)} (pid ${victim.pid}), holding ${clients[busiest]!.join(', ') || 'no'} connections, at ${at(Date.now())}`,
  );
  await sleep(downMs);
  return victim;
}

/** Java's String.hashCode (UTF-16 code units, 32-bit overflow), as Kafka hashes a group id to its coordinator. */
export function javaStringHash(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0;
  return hash;
}

/** Kafka's Utils.abs: |n|, with Integer.MIN_VALUE mapped to 0. */
export function javaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}
