import { randomUUID } from 'node:crypto';
import { formatTicketId, pushCloseCodes, userTicketSubject, type TicketEvent } from '@seckill/contracts';
import { createRedis, type NatsConnection, type RedisClient } from '@seckill/platform';
import {
  connect,
  deleteSaleKeys,
  connectReady,
  openNats,
  signerFor,
  startChildNode,
  testEnv,
  testServices,
  type ChildNode,
  type TestClient,
} from './helpers';
import { createRedisState, type RedisState } from '@seckill/redis-state';
import { stopProcess } from '@seckill/devstack';

describe('push nodes as real processes: a node dies or drains while its users wait', () => {
  const env = testEnv({ DRAIN_TIMEOUT_MS: '2000' });
  const sign = signerFor(env);
  const saleId = randomUUID();
  const users: string[] = [];
  const clients: TestClient[] = [];
  let nodes: ChildNode[] = [];
  let nats: NatsConnection;
  let redis: RedisClient;
  let tickets: RedisState;

  /** What the order worker does: record the final state in Redis, then publish it. */
  async function completeOrder(userId: string, ticketNumber: number): Promise<TicketEvent> {
    const ticketId = formatTicketId(saleId, ticketNumber);
    const at = Date.now();
    await tickets.recordResults([{ ticketId, saleId, userId, status: 'SUCCEEDED', orderId: `order-${ticketNumber}`, at }]);
    const event: TicketEvent = { type: 'ticket', ticketId, saleId, status: 'SUCCEEDED', orderId: `order-${ticketNumber}`, at };
    nats.publish(userTicketSubject(userId, env.NATS_SUBJECT_PREFIX), JSON.stringify(event));
    await nats.flush();
    return event;
  }

  async function connectUsers(node: ChildNode, count: number): Promise<Array<{ userId: string; client: TestClient }>> {
    return Promise.all(
      Array.from({ length: count }, async () => {
        const userId = `u-${randomUUID()}`;
        users.push(userId);
        const client = await connectReady(node.url, sign(userId));
        clients.push(client);
        return { userId, client };
      }),
    );
  }

  beforeAll(async () => {
    nats = await openNats();
    redis = createRedis(testServices.redisUrl);
    tickets = createRedisState({ redis });
    nodes = await Promise.all([startChildNode(env), startChildNode(env), startChildNode(env)]);
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    await Promise.all(nodes.map((node) => node.close()));
    await nats.close();
    await deleteSaleKeys(redis, saleId, users);
    await redis.quit();
  });

  it('after a SIGKILL, users reconnecting to another node still get the result decided meanwhile', async () => {
    const [killed, survivor] = [nodes[0]!, nodes[1]!];
    const waiting = await connectUsers(killed, 4);
    const bystanders = await connectUsers(survivor, 2);

    expect((await stopProcess(killed.process, { signal: 'SIGKILL' })).signal).toBe('SIGKILL');
    for (const { client } of waiting) expect((await client.closed).code).toBe(1006);

    const results = await Promise.all(waiting.map(({ userId }, i) => completeOrder(userId, i + 1)));
    const reconnected = await Promise.all(
      waiting.map(async ({ userId }, i) => {
        const client = connect(nodes[1 + (i % 2)]!.url, { token: sign(userId) });
        clients.push(client);
        return client;
      }),
    );
    await Promise.all(reconnected.map((client, i) => client.waitForMessage((message) => message.ticketId === results[i]!.ticketId)));
    reconnected.forEach((client, i) => expect(client.tickets()).toEqual([results[i]]));

    // The surviving node kept serving the users it already had.
    const live = await completeOrder(bystanders[0]!.userId, 50);
    await bystanders[0]!.client.waitForMessage((message) => message.ticketId === live.ticketId);
  });

  it('on SIGTERM a node closes its sessions with 1012 and exits 0; a reconnect elsewhere gets the result', async () => {
    const [draining, target] = [nodes[1]!, nodes[2]!];
    const waiting = await connectUsers(draining, 3);

    const started = Date.now();
    draining.process.child.kill('SIGTERM');
    const closes = await Promise.all(waiting.map(({ client }) => client.closed));
    for (const close of closes) expect(close.code).toBe(pushCloseCodes.SERVICE_RESTART);
    expect(await draining.process.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5_000);

    const results = await Promise.all(waiting.map(({ userId }, i) => completeOrder(userId, 100 + i)));
    for (const [i, { userId }] of waiting.entries()) {
      const client = connect(target.url, { token: sign(userId) });
      clients.push(client);
      await client.waitForMessage((message) => message.ticketId === results[i]!.ticketId);
    }
  });
});
