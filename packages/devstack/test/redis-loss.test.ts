import { randomUUID } from 'node:crypto';
import { createPrismaClient, databaseUrlFromEnv } from '@seckill/db';
import { createRedis, createUserTokenSigner } from '@seckill/platform';
import { keysMatching, testServices, uniqueName, waitFor } from '@seckill/platform/testing';
import { createSale, freshOrderTopics, startApp, startStack, stopProcess, waitUntilReady, type AppProcess, type Stack } from '../src';
import { redisKeys } from '@seckill/redis-state';

// The machine's Redis keeps nothing on disk: a restart loses every key. This test loses one
// sale's keys (and its shoppers' ticket indexes) between admissions and the worker, and checks
// that PostgreSQL's truth wins: no order for a cancelled ticket, no reused ticket id, nobody new
// admitted until the ticket in flight is decided, every ticket answered by polling, Redis tokens
// equal to PostgreSQL's stock at rest.
describe('a Redis loss mid-sale', () => {
  let stack: Stack;
  let worker: AppProcess | undefined;
  const prisma = createPrismaClient({ databaseUrl: databaseUrlFromEnv() });
  const redis = createRedis(testServices.redisUrl, { name: 'redis-loss-test' });

  beforeAll(async () => {
    // No worker yet: the admitted tickets wait in Kafka while Redis is lost.
    stack = await startStack({
      workers: 0,
      pushNodes: 0,
      basePorts: { gateway: 13300, worker: 13400 },
      // Shedding off: a gateway still compiling (tsx) at its first requests may shed them, and this test
      // needs each answer as it is (shedding has its own tests in the gateway).
      env: {
        ...(await freshOrderTopics('redis-loss')),
        NATS_SUBJECT_PREFIX: uniqueName('redis-loss'),
        LOG_LEVEL: 'warn',
        SHED_EVENT_LOOP_DELAY_MS: '0',
      },
    });
  }, 120_000);

  afterAll(async () => {
    if (worker) await stopProcess(worker);
    await stack?.stop();
    await prisma.$disconnect();
    await redis.quit();
  });

  it('lets PostgreSQL decide every ticket admitted before the loss', async () => {
    const gatewayUrl = stack.gatewayUrls[0]!;
    const sign = createUserTokenSigner(stack.env.AUTH_SECRET!);
    const users = Object.fromEntries(['a', 'b', 'c', 'd'].map((name) => [name, `loss-${name}-${randomUUID().slice(0, 8)}`]));
    const call = async (method: string, path: string, user: string) => {
      const response = await fetch(`${gatewayUrl}${path}`, { method, headers: { authorization: `Bearer ${sign(users[user]!)}` } });
      return {
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        body: (await response.json()) as Record<string, string>,
      };
    };
    const { id: saleId } = await createSale(gatewayUrl, stack.env.ADMIN_TOKEN!, { name: 'redis loss', stock: 1, queueCapacity: 1 });
    const loseRedis = async () => {
      // One key per command: the test also runs on a Redis Cluster.
      const keys = await keysMatching(redis, `${redisKeys.saleTag(saleId)}*`);
      await Promise.all([...keys, ...Object.values(users).map((userId) => redisKeys.userTickets(userId))].map((key) => redis.del(key)));
    };

    // a and b take the only item and give it back; c holds it when Redis is lost.
    const ticketOf: Record<string, string> = {};
    for (const name of ['a', 'b', 'c']) {
      const bought = await call('POST', `/api/sales/${saleId}/orders`, name);
      expect(bought.status).toBe(202);
      ticketOf[name] = bought.body.ticketId!;
      if (name !== 'c') expect((await call('DELETE', `/api/tickets/${ticketOf[name]}`, name)).status).toBe(200);
    }
    await loseRedis();
    // c's ticket is in Kafka only: while it is undecided nobody new is admitted (503, nothing reserved).
    const whileRecovering = await call('POST', `/api/sales/${saleId}/orders`, 'd');

    worker = startApp({ app: 'order-worker', port: 13400, mode: 'source', env: { ...stack.env, WORKER_ID: uniqueName('loss-worker') } });
    await waitUntilReady(worker);
    const poll = async (name: string) => (await call('GET', `/api/tickets/${ticketOf[name]}`, name)).body;
    await waitFor(async () => ((await poll('c')).status !== 'QUEUED' ? true : undefined), { timeoutMs: 30_000, what: 'c decided' }).catch(
      () => undefined,
    );
    // Recovered once the worker consumed c's message: d meets the sale as PostgreSQL has it.
    const afterRecovery = await waitFor(
      async () => {
        const answer = await call('POST', `/api/sales/${saleId}/orders`, 'd');
        return answer.status === 503 ? undefined : answer;
      },
      { timeoutMs: 20_000, what: 'the sale recovered' },
    );
    // The holder first, across a loss: c's repeat purchase answers their ticket, not a new one.
    const cBuysAgain = await call('POST', `/api/sales/${saleId}/orders`, 'c');

    const orders = await prisma.order.findMany({ where: { saleId } });
    const states = Object.fromEntries(await Promise.all(['a', 'b', 'c'].map(async (name) => [name, (await poll(name)).status] as const)));
    const tokensAtRest = Number(await redis.get(redisKeys.stockTokens(saleId)));
    const stock = (await prisma.sale.findUniqueOrThrow({ where: { id: saleId } })).stock;
    // Lost once more after the worker recorded: polling still answers from PostgreSQL.
    await loseRedis();
    const cAfterSecondLoss = await poll('c');

    expect({
      distinctTicketIds: new Set(Object.values(ticketOf)).size,
      whileRecovering: { status: whileRecovering.status, retryAfter: whileRecovering.retryAfter },
      afterRecovery: { status: afterRecovery.status, code: afterRecovery.body.error },
      cBuysAgain: { status: cBuysAgain.status, ticketId: cBuysAgain.body.ticketId },
      orders: orders.map((order) => order.userId),
      states,
      tokensMatchStock: tokensAtRest === stock,
      cAfterSecondLoss: { status: cAfterSecondLoss.status, orderId: cAfterSecondLoss.orderId },
    }).toEqual({
      distinctTicketIds: 3,
      whileRecovering: { status: 503, retryAfter: '1' },
      afterRecovery: { status: 410, code: expect.objectContaining({ code: 'SOLD_OUT' }) },
      cBuysAgain: { status: 200, ticketId: ticketOf.c },
      orders: [users.c],
      states: { a: 'CANCELLED', b: 'CANCELLED', c: 'SUCCEEDED' },
      tokensMatchStock: true,
      cAfterSecondLoss: { status: 'SUCCEEDED', orderId: orders[0]?.id },
    });
  }, 90_000);
});
