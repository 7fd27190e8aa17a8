import { randomUUID } from 'node:crypto';
import { formatTicketId, redisKeys } from '@seckill/contracts';
import { createRedis, type Redis } from './redis';
import { createTicketStore } from './ticket-store';
import { testServices } from './testing';

describe('ticket store (real Redis)', () => {
  let redis: Redis;
  const saleId = randomUUID();
  const userId = `user-${randomUUID()}`;

  beforeAll(() => {
    redis = createRedis(testServices.redisUrl);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${redisKeys.saleTag(saleId)}*`);
    if (keys.length) await redis.del(...keys);
    await redis.del(redisKeys.userTickets(userId));
    await redis.quit();
  });

  async function queueTicket(ticketNumber: number): Promise<string> {
    const ticketId = formatTicketId(saleId, ticketNumber);
    await redis.hset(redisKeys.ticket(saleId, ticketId), {
      ticketId, saleId, userId, ticketNumber, status: 'QUEUED', updatedAt: Date.now(),
    });
    await redis.zadd(redisKeys.queuedTickets(saleId), ticketNumber, ticketId);
    return ticketId;
  }

  it('records a result once and lists it for its user', async () => {
    const store = createTicketStore({ redis });
    const ticketId = await queueTicket(1);
    const result = { ticketId, saleId, userId, status: 'SUCCEEDED' as const, orderId: 'order-1', at: Date.now() };

    expect(await store.recordResult(result)).toBe(true);
    expect(await store.recordResult({ ...result, status: 'FAILED', orderId: undefined, reason: 'SOLD_OUT' })).toBe(false);

    expect(await store.get(ticketId)).toMatchObject({ status: 'SUCCEEDED', orderId: 'order-1', ticketNumber: 1 });
    expect(await redis.zscore(redisKeys.queuedTickets(saleId), ticketId)).toBeNull();
    expect((await store.listForUser(userId)).map((t) => t.ticketId)).toContain(ticketId);
  });

  it('claims queued tickets and reports the others as they are', async () => {
    const store = createTicketStore({ redis });
    const queued = await queueTicket(2);
    const cancelled = await queueTicket(3);
    await redis.hset(redisKeys.ticket(saleId, cancelled), 'status', 'CANCELLED');
    const missing = formatTicketId(saleId, 99);

    const outcomes = await store.claim([queued, cancelled, missing]);
    expect(Object.fromEntries(outcomes)).toEqual({ [queued]: 'CLAIMED', [cancelled]: 'CANCELLED', [missing]: 'MISSING' });
  });

  it('never overwrites a cancelled ticket', async () => {
    const store = createTicketStore({ redis });
    const ticketId = await queueTicket(4);
    await redis.hset(redisKeys.ticket(saleId, ticketId), 'status', 'CANCELLED');
    expect(await store.recordResult({ ticketId, saleId, userId, status: 'SUCCEEDED', orderId: 'o', at: 1 })).toBe(false);
    expect((await store.get(ticketId))?.status).toBe('CANCELLED');
  });

  it('records many results at once, once each, and never over a cancelled ticket', async () => {
    const store = createTicketStore({ redis });
    const [first, second, cancelled] = [await queueTicket(5), await queueTicket(6), await queueTicket(7)];
    await redis.hset(redisKeys.ticket(saleId, cancelled), 'status', 'CANCELLED');
    const missing = formatTicketId(saleId, 8);
    const results = [first, second, cancelled, missing].map((ticketId) => ({
      ticketId, saleId, userId, status: 'SUCCEEDED' as const, orderId: `order-${ticketId}`, at: 5,
    }));

    expect(await store.recordResults(results)).toEqual([true, true, false, true]);
    expect(await store.recordResults(results)).toEqual([false, false, false, false]);
    expect(await store.get(first)).toMatchObject({ status: 'SUCCEEDED', orderId: `order-${first}`, updatedAt: 5 });
    expect(await store.get(missing)).toMatchObject({ status: 'SUCCEEDED', ticketNumber: 8, userId });
    expect((await store.get(cancelled))?.status).toBe('CANCELLED');
    expect(await redis.zscore(redisKeys.queuedTickets(saleId), second)).toBeNull();
    expect((await store.listForUser(userId)).map((t) => t.ticketId)).toEqual(expect.arrayContaining([first, second, missing]));
  });
});
