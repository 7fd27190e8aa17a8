import { waitFor } from '@seckill/platform/testing';
import { createExpirySweeper } from '../src/domain/expiry-sweeper';
import { createUserEventPublisher } from '../src/domain/user-events';
import {
  admit,
  collectUserEvents,
  createSale,
  freshTopics,
  logger,
  closersAfterEachTest,
  saleStock,
  testServicesForFile,
  startWorkerForTest,
} from './helpers';
import { redisKeys, createRedisState } from '@seckill/redis-state';

const services = testServicesForFile();
const closers = closersAfterEachTest();

describe('payment window', () => {
  it('expires an unpaid order and returns its stock, which a later buyer then gets', async () => {
    const names = await freshTopics(1);
    const saleId = await createSale(services, 1);
    const events = collectUserEvents(services.nats, saleId);
    closers.push(async () => events.stop());
    await startWorkerForTest(closers, names, { PAYMENT_WINDOW_MS: '1500', EXPIRY_SWEEP_INTERVAL_MS: '100' });

    const [first] = await admit(services, names.topic, saleId, 1);
    await services.redis.decr(redisKeys.stockTokens(saleId)); // the gateway took the only token
    const succeeded = await waitFor(() => events.ticketEvents().find((e) => e.ticketId === first!.ticketId), {
      what: 'first buyer succeeds',
    });
    expect(succeeded).toMatchObject({ status: 'SUCCEEDED' });
    expect(await saleStock(services.prisma, saleId)).toBe(0);

    const expired = await waitFor(() => events.orderEvents()[0], { what: 'expiry push', timeoutMs: 10_000 });
    expect(expired).toEqual({
      type: 'order',
      orderId: succeeded.orderId,
      ticketId: first!.ticketId,
      saleId,
      status: 'EXPIRED',
      at: expect.any(Number),
    });
    const order = await services.prisma.order.findUniqueOrThrow({ where: { id: succeeded.orderId! } });
    expect(order.status).toBe('EXPIRED');
    expect(await saleStock(services.prisma, saleId)).toBe(1);
    expect(await services.redis.get(redisKeys.stockTokens(saleId))).toBe('1');
    // The ticket keeps its one final state.
    expect((await createRedisState({ redis: services.redis }).getTicket(first!.ticketId))?.status).toBe('SUCCEEDED');

    const [second] = await admit(services, names.topic, saleId, 1, { firstNumber: 2 });
    const secondResult = await waitFor(() => events.ticketEvents().find((e) => e.ticketId === second!.ticketId), { what: 'later buyer' });
    expect(secondResult).toMatchObject({ status: 'SUCCEEDED' });
    expect(secondResult.orderId).not.toBe(succeeded.orderId);
  });

  it('expires each order once with concurrent sweepers and leaves paid or unexpired orders alone', async () => {
    const saleId = await createSale(services, 10);
    const past = new Date(Date.now() - 1_000);
    const future = new Date(Date.now() + 3_600_000);
    const seeds = [
      ...Array.from({ length: 6 }, (_, i) => ({ status: 'PENDING_PAYMENT' as const, expiresAt: past, n: i + 1 })),
      { status: 'PAID' as const, expiresAt: past, n: 7 },
      { status: 'PENDING_PAYMENT' as const, expiresAt: future, n: 8 },
    ];
    await services.prisma.order.createMany({
      data: seeds.map(({ status, expiresAt, n }) => ({
        saleId,
        userId: `user-${n}`,
        ticketId: `${saleId}.1.${n}`,
        ticketNumber: n,
        status,
        expiresAt,
      })),
    });
    await services.prisma.sale.update({ where: { id: saleId }, data: { stock: 2 } });
    await services.redis.set(redisKeys.stockTokens(saleId), 2);

    const userEvents = createUserEventPublisher({ nats: services.nats });
    const sweepers = [1, 2, 3].map(() =>
      createExpirySweeper({
        prisma: services.prisma,
        redisState: createRedisState({ redis: services.redis }),
        userEvents,
        logger,
        batchSize: 2,
      }),
    );
    await Promise.all(sweepers.map((sweeper) => sweeper.sweep()));
    await Promise.all(sweepers.map((sweeper) => sweeper.sweep()));

    const orders = await services.prisma.order.findMany({ where: { saleId }, orderBy: { ticketNumber: 'asc' } });
    expect(orders.map((o) => o.status)).toEqual([...Array(6).fill('EXPIRED'), 'PAID', 'PENDING_PAYMENT']);
    expect(await saleStock(services.prisma, saleId)).toBe(8);
    expect(await services.redis.get(redisKeys.stockTokens(saleId))).toBe('8');
  });
});
