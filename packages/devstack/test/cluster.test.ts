import { randomUUID } from 'node:crypto';
import { Cluster, createRedis, Redis } from '@seckill/platform';
import { keysMatching } from '@seckill/platform/testing';
import { createRedisState, redisKeys } from '@seckill/redis-state';
import { upClusterTopology, type ClusterTopology } from '../src';

/** `npm run test:cluster` sets it: these tests start (or use) three Kafka JVMs, six Redis and three NATS servers. */
const onCluster = process.env.SECKILL_CLUSTER_TESTS === '1' ? describe : describe.skip;

onCluster('the cluster topology of infra up --cluster', () => {
  let topology: ClusterTopology;
  let redis: Cluster;
  const saleId = randomUUID();

  beforeAll(async () => {
    topology = await upClusterTopology();
    redis = createRedis(topology.env.REDIS_URL) as Cluster;
  }, 240_000);

  afterAll(async () => {
    const keys = await keysMatching(redis, `${redisKeys.saleTag(saleId)}*`);
    await Promise.all(keys.map((key) => redis.del(key)));
    await redis.srem(redisKeys.activeSales(), saleId);
    await redis.quit();
  });

  it('lists the nodes infra started, and kills nothing else', () => {
    expect(topology.nodes('redis')).toHaveLength(6);
    expect(topology.nodes('kafka').map((node) => node.id)).toEqual([1, 2, 3]);
    expect(topology.nodes('nats')).toHaveLength(3);
    expect(() => topology.kill({ kind: 'redis', port: 7001, id: 7001, pid: process.pid })).toThrow(/not a running redis node/);
  });

  it('answers a write once a replica has it; a shard whose replica stopped answering is waited on once, then not for a while', async () => {
    const state = createRedisState({ redis });
    const now = Date.now();
    await state.loadSale({
      id: saleId,
      name: 'replicated',
      stock: 5,
      initialStock: 5,
      queueCapacity: 5,
      startsAtMs: now - 1_000,
      endsAtMs: now + 60_000,
      epoch: 1,
      ticketNumberFloor: 0,
    });
    const admit = async (userId: string) => {
      const startedAt = performance.now();
      const reply = await state.admitTicket({ saleId, userId, nowMs: Date.now(), deadlineMs: Date.now() + 5_000, relayAfterMs: 2_000 });
      expect(reply.kind).toBe('ADMITTED');
      return { reply, ms: performance.now() - startedAt };
    };

    // The shard of the sale: its primary and the replica CLUSTER SLOTS lists beside it.
    const slot = Number(await redis.call('CLUSTER', 'KEYSLOT', redisKeys.saleInfo(saleId)));
    const shard = (await redis.cluster('SLOTS')).find(([from, to]) => slot >= from && slot <= to)!;
    const replicaPort = Number(shard[3]![1]);
    const replica = topology.nodes('redis').find((node) => node.port === replicaPort)!;

    const first = await admit('healthy');
    const onReplica = new Redis({ port: replicaPort, host: '127.0.0.1' });
    try {
      await onReplica.readonly();
      const ticketId = first.reply.kind === 'ADMITTED' ? first.reply.ticketId : '';
      expect(await onReplica.hget(redisKeys.ticket(saleId, ticketId), 'userId')).toBe('healthy');
    } finally {
      onReplica.disconnect();
    }

    process.kill(replica.pid, 'SIGSTOP');
    try {
      const waited = await admit('replica-frozen');
      const next = await admit('replica-still-frozen');
      expect({ waited: waited.ms >= 95, next: next.ms < 95 }).toEqual({ waited: true, next: true });
    } finally {
      process.kill(replica.pid, 'SIGCONT');
    }
  }, 30_000);
});
