import { formatTicketId, orderMessageKey, type OrderRequested } from '@seckill/contracts';
import { waitFor } from '@seckill/platform/testing';
import { admit, createSale, freshTopics, closersAfterEachTest, saleStock, testServicesForFile, startWorkerForTest } from './helpers';
import { redisKeys, createRedisState } from '@seckill/redis-state';

const services = testServicesForFile();
const closers = closersAfterEachTest();

/** What admission took from Redis for these tickets: one stock token each. */
const takeTokens = (saleId: string, count: number) => services.redis.decrby(redisKeys.stockTokens(saleId), count);
const tokens = async (saleId: string) => Number(await services.redis.get(redisKeys.stockTokens(saleId)));
const store = () => createRedisState({ redis: services.redis });
const finalStatus = (ticketId: string) =>
  waitFor(
    async () => {
      const record = await store().getTicket(ticketId);
      return record && record.status !== 'QUEUED' ? record : undefined;
    },
    { what: `a final state for ${ticketId}` },
  );

describe('tickets that end without an order', () => {
  it('give their stock token back when the buyer already has an order (ALREADY_ORDERED)', async () => {
    const names = await freshTopics();
    const saleId = await createSale(services, 5);
    const [first] = await admit(services, names.topic, saleId, 1);
    await takeTokens(saleId, 1);
    await startWorkerForTest(closers, names);
    expect(await finalStatus(first!.ticketId)).toMatchObject({ status: 'SUCCEEDED' });

    // A second ticket of the same buyer (their hold was lost): it takes a token at admission...
    const second: OrderRequested = { ...first!, ticketId: formatTicketId(saleId, 2), ticketNumber: 2, requestedAt: Date.now() };
    await services.redis.hset(redisKeys.ticket(saleId, second.ticketId), {
      ticketId: second.ticketId,
      saleId,
      userId: second.userId,
      ticketNumber: 2,
      status: 'QUEUED',
      updatedAt: Date.now(),
    });
    await takeTokens(saleId, 1);
    await services.producer.send({
      topic: names.topic,
      acks: -1,
      messages: [{ key: orderMessageKey(second), value: JSON.stringify(second) }],
    });
    expect(await finalStatus(second.ticketId)).toMatchObject({ status: 'FAILED', reason: 'ALREADY_ORDERED' });

    // ...and, not sold, gives it back: Redis offers what PostgreSQL still has.
    expect({ tokens: await tokens(saleId), stock: await saleStock(services.prisma, saleId) }).toEqual({ tokens: 4, stock: 4 });
  });

  it('end FAILED, token back, when their message is dead-lettered', async () => {
    const names = await freshTopics();
    const saleId = await createSale(services, 5);
    const [ticket] = await admit(services, names.topic, saleId, 1, { produce: false });
    await takeTokens(saleId, 1);
    // A message the worker cannot take as an order (say, from a newer gateway), naming a real queued ticket.
    await services.producer.send({
      topic: names.topic,
      acks: -1,
      messages: [{ key: ticket!.userId, value: JSON.stringify({ ...ticket, v: 2 }) }],
    });
    await startWorkerForTest(closers, names);

    const record = await waitFor(
      async () => {
        const stored = await store().getTicket(ticket!.ticketId);
        return stored?.status !== 'QUEUED' ? stored : undefined;
      },
      { what: 'the dead-lettered ticket to end', timeoutMs: 8_000 },
    ).catch(async () => store().getTicket(ticket!.ticketId));
    expect({ status: record?.status, reason: record?.reason, tokens: await tokens(saleId) }).toEqual({
      status: 'FAILED',
      reason: 'REJECTED',
      tokens: 5,
    });
  });
});
