import { userTicketSubject, type TicketEvent, type TicketReceipt } from '@seckill/contracts';
import { createPrismaClient, databaseUrlFromEnv } from '@seckill/db';
import { connectNats } from '@seckill/platform';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startOwnedRedis } from '@seckill/devstack';
import { createFreezableSockets, testServices, uniqueName, waitFor } from '@seckill/platform/testing';
import { createRedisState, redisKeys } from '@seckill/redis-state';
import { gatewayForSuite, startGateway, type GatewayHarness } from './gateway-harness';

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const startedAt = Date.now();
  const result = await work();
  return { result, ms: Date.now() - startedAt };
}

describe('a stalled Kafka broker', () => {
  const sockets = createFreezableSockets();
  let gateway: GatewayHarness;
  const prisma = createPrismaClient({ databaseUrl: databaseUrlFromEnv() });

  beforeAll(async () => {
    gateway = await startGateway(
      {
        ENQUEUE_WAIT_MS: '300',
        OUTBOX_RELAY_AFTER_MS: '300',
        OUTBOX_SWEEP_INTERVAL_MS: '100',
        ENQUEUE_DEADLINE_MS: '2500',
        KAFKA_REQUEST_TIMEOUT_MS: '1000',
      },
      { kafkaSocketFactory: sockets.socketFactory },
    );
  });
  afterEach(() => sockets.thaw());
  afterAll(async () => {
    await gateway.close();
    await prisma.$disconnect();
  });

  it('does not hold up the answer: 202 within the bound, and the ticket reaches Kafka once it answers', async () => {
    const sale = await gateway.createSale({ stock: 5 });
    sockets.freeze();
    const { result: response, ms } = await timed(() => gateway.buy(sale.id, uniqueName('patient')));
    expect(response.statusCode).toBe(202);
    expect(ms).toBeLessThan(1_500);
    const { ticketId } = response.json<TicketReceipt>();
    expect(await gateway.app.redis.zscore(redisKeys.outbox(sale.id), ticketId)).not.toBeNull();

    sockets.thaw();
    const orders = await gateway.readOrders(1);
    expect(orders.map((order) => order.ticketId)).toContain(ticketId);
    await waitFor(async () => ((await gateway.app.redis.zcard(redisKeys.outbox(sale.id))) === 0 ? true : undefined), {
      what: 'the outbox to empty',
    });
  });

  it('fails a ticket Kafka did not take by the deadline: stock back, shopper told, PostgreSQL knows, a late message is skipped', async () => {
    const sale = await gateway.createSale({ stock: 1 });
    const userId = uniqueName('stranded');
    const nats = await connectNats({ url: testServices.natsUrl, name: 'outbox-test' });
    const events: TicketEvent[] = [];
    nats.subscribe(userTicketSubject(userId, gateway.config.NATS_SUBJECT_PREFIX), {
      callback: (_error, message) => void events.push(message.json<TicketEvent>()),
    });
    try {
      sockets.freeze();
      const { ticketId } = (await gateway.buy(sale.id, userId)).json<TicketReceipt>();
      const redisState = createRedisState({ redis: gateway.app.redis });
      const failed = await waitFor(
        async () => {
          const ticket = await redisState.getTicket(ticketId);
          return ticket?.status === 'FAILED' ? ticket : undefined;
        },
        { timeoutMs: 8_000, what: 'the ticket to be reaped' },
      );
      expect(failed).toMatchObject({ status: 'FAILED', reason: 'QUEUE_UNAVAILABLE' });
      expect(await gateway.app.redis.get(redisKeys.stockTokens(sale.id))).toBe('1');
      await waitFor(() => events.find((event) => event.ticketId === ticketId && event.status === 'FAILED'), { what: 'the pushed FAILED' });
      expect(await redisState.listUserTickets(userId)).toEqual([expect.objectContaining({ ticketId, status: 'FAILED' })]);
      expect(await prisma.closedTicket.findUnique({ where: { ticketId } })).toMatchObject({
        status: 'FAILED',
        reason: 'QUEUE_UNAVAILABLE',
        userId,
      });

      // The message the stalled send still held reaches Kafka after all: a worker's claim skips it.
      sockets.thaw();
      expect(await redisState.claimTickets([ticketId])).toEqual(new Map([[ticketId, 'FAILED']]));
      // The shopper was released and may try again.
      expect((await gateway.buy(sale.id, userId)).statusCode).toBe(202);
    } finally {
      await nats.close();
    }
  }, 30_000);
});

describe('the outbox of a gateway that died', () => {
  const gateway = gatewayForSuite({ OUTBOX_RELAY_AFTER_MS: '300', OUTBOX_SWEEP_INTERVAL_MS: '100' });

  it('is re-produced by another gateway, once, and emptied when Kafka acknowledges', async () => {
    const sale = await gateway.createSale({ stock: 5 });
    // What a gateway killed between the admission and its Kafka send leaves behind.
    const redisState = createRedisState({ redis: gateway.app.redis });
    const userId = uniqueName('orphan');
    gateway.userToken(userId);
    const admitted = await redisState.admitTicket({
      saleId: sale.id,
      userId,
      nowMs: Date.now(),
      deadlineMs: Date.now() + 1_000,
      relayAfterMs: 300,
    });
    if (admitted.kind !== 'ADMITTED') throw new Error(`not admitted: ${admitted.kind}`);

    const orders = await gateway.readOrders(1);
    expect(orders.filter((order) => order.ticketId === admitted.ticketId)).toEqual([
      expect.objectContaining({ v: 1, ticketId: admitted.ticketId, saleId: sale.id, userId, ticketNumber: admitted.ticketNumber }),
    ]);
    await waitFor(async () => ((await gateway.app.redis.zcard(redisKeys.outbox(sale.id))) === 0 ? true : undefined), {
      what: 'the outbox to empty',
    });
    expect(await gateway.countMessages()).toBe(1);
  });
});

describe('a stalled Redis', () => {
  it('answers 503 within the bound and, once Redis wakes, has reserved nothing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gateway-redis-'));
    const redis = await startOwnedRedis({ dir });
    const gateway = await startGateway({
      REDIS_URL: redis.address,
      ADMISSION_TIMEOUT_MS: '300',
      RATE_LIMIT_PER_USER_PER_MIN: '0',
      RATE_LIMIT_PER_IP_PER_MIN: '0',
    });
    try {
      const sale = await gateway.createSale({ stock: 3 });
      const userId = uniqueName('frozen');
      redis.freeze();
      const { result: response, ms } = await timed(() => gateway.buy(sale.id, userId));
      expect([response.statusCode, response.json().error.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
      expect(ms).toBeLessThan(1_500);

      // The script queued behind the stall runs now, past its deadline: it admits nothing.
      redis.thaw();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await gateway.app.redis.get(redisKeys.stockTokens(sale.id))).toBe('3');
      expect(await gateway.app.redis.hget(redisKeys.ticketsByUser(sale.id), userId)).toBeNull();
      expect((await gateway.buy(sale.id, userId)).statusCode).toBe(202);
    } finally {
      await gateway.close();
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
