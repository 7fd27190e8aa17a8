import { randomUUID } from 'node:crypto';
import { probeDependencies } from '@seckill/platform';
import { ownMetricNames, waitFor } from '@seckill/platform/testing';
import type { KafkaMessage } from 'kafkajs';
import { deadLetterHeaders } from '../src/domain/dead-letter';
import {
  admit,
  collectUserEvents,
  createSale,
  freshTopics,
  closersAfterEachTest,
  produce,
  saleStock,
  testServicesForFile,
  startWorkerForTest,
} from './helpers';
import { redisKeys, createRedisState } from '@seckill/redis-state';

const services = testServicesForFile();
const closers = closersAfterEachTest();

function listen(saleId: string) {
  const listener = collectUserEvents(services.nats, saleId);
  closers.push(async () => listener.stop());
  return listener;
}

async function ordersOf(saleId: string) {
  return services.prisma.order.findMany({ where: { saleId }, orderBy: { ticketNumber: 'asc' } });
}

describe('order worker', () => {
  it('turns each admitted ticket into one order, records SUCCEEDED in Redis and pushes one event', async () => {
    const names = await freshTopics();
    const saleId = await createSale(services, 10);
    const events = listen(saleId);
    const tickets = await admit(services, names.topic, saleId, 3);
    const { config, worker } = await startWorkerForTest(closers, names, { THROUGHPUT_PUBLISH_INTERVAL_MS: '100' });
    // On a freshly started broker the group coordinator may still be loading: joining takes a moment.
    const ready = await waitFor(
      async () => {
        const checks = await probeDependencies(worker.probes);
        return checks.kafka.up ? checks : undefined;
      },
      { what: 'the worker joined its group' },
    );
    expect(ready).toEqual({ kafka: { up: true }, postgres: { up: true }, redis: { up: true }, nats: { up: true } });

    await waitFor(() => (events.ticketEvents().length === 3 ? true : undefined), { what: '3 ticket events' });
    const orders = await ordersOf(saleId);
    expect(orders.map((o) => o.ticketId)).toEqual(tickets.map((t) => t.ticketId));
    expect(orders.every((o) => o.status === 'PENDING_PAYMENT' && o.expiresAt !== null)).toBe(true);
    expect(await saleStock(services.prisma, saleId)).toBe(7);

    const store = createRedisState({ redis: services.redis });
    for (const order of orders) {
      const record = await store.getTicket(order.ticketId);
      expect(record).toMatchObject({ status: 'SUCCEEDED', orderId: order.id, userId: order.userId });
      expect(events.ticketEvents().filter((e) => e.ticketId === order.ticketId)).toEqual([
        expect.objectContaining({ type: 'ticket', status: 'SUCCEEDED', orderId: order.id, saleId }),
      ]);
    }
    expect(await services.redis.zcard(redisKeys.queuedTickets(saleId))).toBe(0);

    // Its throughput, for the gateway's wait estimate: `<orders per second>:<updated at ms>`.
    const published = await waitFor(
      async () => {
        const value = await services.redis.hget(redisKeys.workerThroughput(), config.WORKER_ID);
        return value && Number(value.split(':')[0]) > 0 ? value : undefined;
      },
      { what: 'published throughput' },
    );
    expect(Number(published.split(':')[1])).toBeGreaterThan(Date.now() - 10_000);
  });

  it('gives one order and the same result when the same message is delivered twice', async () => {
    const names = await freshTopics();
    const saleId = await createSale(services, 10);
    const events = listen(saleId);
    const [ticket] = await admit(services, names.topic, saleId, 1);
    await produce(services.producer, names.topic, [ticket!]); // duplicate in the same run
    await startWorkerForTest(closers, names);
    await waitFor(() => (events.ticketEvents().length >= 1 ? true : undefined), { what: 'first result' });

    await produce(services.producer, names.topic, [ticket!]); // redelivered after it was processed
    await waitFor(() => (events.ticketEvents().length >= 2 ? true : undefined), { what: 'republished result' });

    const orders = await ordersOf(saleId);
    expect(orders).toHaveLength(1);
    expect(await saleStock(services.prisma, saleId)).toBe(9);
    const results = events.ticketEvents().map(({ status, orderId, ticketId }) => ({ status, orderId, ticketId }));
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(results[0]).toEqual({ status: 'SUCCEEDED', orderId: orders[0]!.id, ticketId: ticket!.ticketId });
  });

  it('sells exactly the stock to two workers sharing more demand than stock', async () => {
    const names = await freshTopics(4);
    const stock = 40;
    const saleId = await createSale(services, stock);
    const events = listen(saleId);
    const first = await startWorkerForTest(closers, names);
    const second = await startWorkerForTest(closers, names);
    const demand = 100;
    await admit(services, names.topic, saleId, demand);

    await waitFor(() => (events.ticketEvents().length === demand ? true : undefined), { what: 'every ticket decided', timeoutMs: 30_000 });
    expect(await saleStock(services.prisma, saleId)).toBe(0);
    const orders = await ordersOf(saleId);
    expect(orders).toHaveLength(stock);
    const statuses = events.ticketEvents().map((e) => (e.status === 'SUCCEEDED' ? 'SUCCEEDED' : e.reason));
    expect(statuses.filter((s) => s === 'SUCCEEDED')).toHaveLength(stock);
    expect(statuses.filter((s) => s === 'SOLD_OUT')).toHaveLength(demand - stock);

    // Both workers took part: each processed some of the tickets.
    for (const { registry } of [first, second]) {
      const counter = await registry.getSingleMetric('seckill_worker_orders_total')!.get();
      const processed = counter.values.reduce((sum, value) => sum + value.value, 0);
      expect(processed).toBeGreaterThan(0);
      expect(ownMetricNames(await registry.metrics()).filter((name) => !name.startsWith('seckill_worker_'))).toEqual([]);
    }
  });

  it('skips a ticket the shopper cancelled before a worker claimed it', async () => {
    const names = await freshTopics();
    const saleId = await createSale(services, 10);
    const events = listen(saleId);
    const [cancelled, kept] = await admit(services, names.topic, saleId, 2);
    await services.redis.hset(redisKeys.ticket(saleId, cancelled!.ticketId), 'status', 'CANCELLED');
    await startWorkerForTest(closers, names);

    await waitFor(() => (events.ticketEvents().length === 1 ? true : undefined), { what: 'the kept ticket' });
    expect(events.ticketEvents()[0]).toMatchObject({ ticketId: kept!.ticketId, status: 'SUCCEEDED' });
    expect((await ordersOf(saleId)).map((o) => o.ticketId)).toEqual([kept!.ticketId]);
    expect(await services.redis.hget(redisKeys.ticket(saleId, cancelled!.ticketId), 'status')).toBe('CANCELLED');
  });

  it('processes a ticket missing from Redis from its message alone', async () => {
    const names = await freshTopics();
    const saleId = await createSale(services, 10);
    const events = listen(saleId);
    const [ticket] = await admit(services, names.topic, saleId, 1, { storeTicket: false });
    await startWorkerForTest(closers, names);

    await waitFor(() => (events.ticketEvents().length === 1 ? true : undefined), { what: 'the result' });
    const [order] = await ordersOf(saleId);
    expect(order?.ticketId).toBe(ticket!.ticketId);
    const record = await createRedisState({ redis: services.redis }).getTicket(ticket!.ticketId);
    expect(record).toMatchObject({ status: 'SUCCEEDED', orderId: order!.id, ticketNumber: 1 });
  });

  it('dead-letters poison messages with the reason and keeps consuming the partition', async () => {
    const names = await freshTopics(1);
    const saleId = await createSale(services, 10);
    const unknownSaleId = randomUUID();
    const events = listen(saleId);
    await services.producer.send({
      topic: names.topic,
      messages: [
        { key: 'x', value: 'not json at all' },
        { key: 'y', value: JSON.stringify({ v: 1, ticketId: 'nope' }) },
        {
          key: 'z',
          value: JSON.stringify({
            v: 1,
            ticketId: `${unknownSaleId}.1.1`,
            ticketNumber: 1,
            saleId: unknownSaleId,
            userId: 'ghost',
            requestedAt: 1,
          }),
        },
      ],
    });
    const [good] = await admit(services, names.topic, saleId, 1);

    const deadLetters: KafkaMessage[] = [];
    const dlqConsumer = services.kafka.consumer({ groupId: `${names.group}.dlq-reader` });
    closers.push(() => dlqConsumer.disconnect());
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topic: names.deadLetterTopic, fromBeginning: true });
    await dlqConsumer.run({ eachMessage: async ({ message }) => void deadLetters.push(message) });

    await startWorkerForTest(closers, names);
    await waitFor(() => (events.ticketEvents().length === 1 ? true : undefined), { what: 'the good ticket' });
    expect(events.ticketEvents()[0]).toMatchObject({ ticketId: good!.ticketId, status: 'SUCCEEDED' });

    await waitFor(() => (deadLetters.length === 3 ? true : undefined), { what: '3 dead letters' });
    const reasons = deadLetters.map((m) => m.headers?.[deadLetterHeaders.reason]?.toString());
    expect(reasons).toEqual(['not JSON', expect.stringContaining('invalid order'), expect.stringContaining('SALE_NOT_FOUND')]);
    expect(deadLetters[0]!.value?.toString()).toBe('not json at all');
    expect(deadLetters[0]!.headers?.[deadLetterHeaders.topic]?.toString()).toBe(names.topic);
  });
});
