import { startApp, stopProcess, type AppProcess } from '@seckill/devstack';
import { waitFor } from '@seckill/platform/testing';
import { admit, collectUserEvents, createSale, freshTopics, saleStock, testServicesForFile, workerEnv } from './helpers';
import { createRedisState } from '@seckill/redis-state';

const services = testServicesForFile();
const workers: AppProcess[] = [];

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => stopProcess(worker, { signal: 'SIGKILL' })));
});

/** The worker as its own process (src/main.ts through tsx), as a supervisor would run it. */
function spawnWorker(env: Record<string, string>): AppProcess {
  const worker = startApp({ app: 'order-worker', port: 0, mode: 'source', env: { ...env, HOST: '127.0.0.1' } });
  workers.push(worker);
  return worker;
}

describe('a worker killed between the database commit and the offset commit', () => {
  it('loses nothing and duplicates nothing after a restart', async () => {
    const names = await freshTopics(2);
    const saleId = await createSale(services, 100);
    const events = collectUserEvents(services.nats, saleId);
    const tickets = await admit(services, names.topic, saleId, 30);
    const env = workerEnv(names);

    const crashing = spawnWorker({ ...env, WORKER_CRASH_AFTER_DB_COMMIT: '1' });
    const crash = await crashing.exited;
    expect(crash).toEqual({ code: null, signal: 'SIGKILL' });

    // The first batch is in PostgreSQL, but none of its results left the process.
    const committedBeforeCrash = await services.prisma.order.findMany({ where: { saleId } });
    expect(committedBeforeCrash.length).toBeGreaterThan(0);
    expect(events.ticketEvents()).toHaveLength(0);
    const store = createRedisState({ redis: services.redis });
    for (const order of committedBeforeCrash) expect((await store.getTicket(order.ticketId))?.status).toBe('QUEUED');

    const restarted = spawnWorker(env);
    await waitFor(() => (events.ticketEvents().length >= tickets.length ? true : undefined), {
      what: 'every ticket decided after the restart',
      timeoutMs: 40_000,
      intervalMs: 100,
    });

    const orders = await services.prisma.order.findMany({ where: { saleId } });
    expect(orders).toHaveLength(tickets.length);
    expect(await saleStock(services.prisma, saleId)).toBe(100 - tickets.length);
    const orderIdByTicket = new Map(orders.map((order) => [order.ticketId, order.id]));
    for (const order of committedBeforeCrash) expect(orderIdByTicket.get(order.ticketId)).toBe(order.id);
    for (const event of events.ticketEvents()) {
      expect(event).toMatchObject({ status: 'SUCCEEDED', orderId: orderIdByTicket.get(event.ticketId) });
    }
    expect(new Set(events.ticketEvents().map((event) => event.ticketId)).size).toBe(tickets.length);
    for (const ticket of tickets) {
      expect(await store.getTicket(ticket.ticketId)).toMatchObject({ status: 'SUCCEEDED', orderId: orderIdByTicket.get(ticket.ticketId) });
    }

    // SIGTERM: finishes the batch in hand, leaves the group, exits 0.
    const stopped = await stopProcess(restarted, { graceMs: 30_000 });
    expect({ ...stopped, output: stopped.code === 0 ? '' : restarted.recentOutput() }).toEqual({ code: 0, signal: null, output: '' });
    events.stop();
  }, 60_000);
});

describe('a worker stopped with SIGTERM in the middle of the stream', () => {
  it('finishes the batch in hand and commits it, so a successor neither redoes nor loses anything', async () => {
    const names = await freshTopics(4);
    const saleId = await createSale(services, 10_000);
    const events = collectUserEvents(services.nats, saleId);
    const tickets = await admit(services, names.topic, saleId, 6_000);
    // Small fetches: many batches, so the stop lands while work is in hand.
    const env = { ...workerEnv(names), KAFKA_MAX_BYTES_PER_PARTITION: '4096' };

    const first = spawnWorker(env);
    await waitFor(async () => ((await services.prisma.order.count({ where: { saleId } })) > 0 ? true : undefined), {
      what: 'the first orders',
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    const stopped = await stopProcess(first, { graceMs: 30_000 });
    expect({ ...stopped, output: stopped.code === 0 ? '' : first.recentOutput() }).toEqual({ code: 0, signal: null, output: '' });

    // Everything written before the stop was carried through to its result.
    const writtenBeforeStop = await services.prisma.order.findMany({ where: { saleId } });
    expect(writtenBeforeStop.length).toBeLessThan(tickets.length);
    const store = createRedisState({ redis: services.redis });
    for (const order of writtenBeforeStop) {
      expect(await store.getTicket(order.ticketId)).toMatchObject({ status: 'SUCCEEDED', orderId: order.id });
    }

    spawnWorker(env);
    await waitFor(() => (new Set(events.ticketEvents().map((event) => event.ticketId)).size >= tickets.length ? true : undefined), {
      what: 'every ticket decided by the successor',
      timeoutMs: 40_000,
      intervalMs: 100,
    });
    expect(await services.prisma.order.count({ where: { saleId } })).toBe(tickets.length);
    expect(await saleStock(services.prisma, saleId)).toBe(10_000 - tickets.length);
    // Offsets were committed on the way out: no ticket was redelivered and published twice.
    expect(events.ticketEvents()).toHaveLength(tickets.length);
    events.stop();
  }, 90_000);
});
