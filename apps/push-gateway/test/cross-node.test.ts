import { randomUUID } from 'node:crypto';
import { formatTicketId, pushCloseCodes, userTicketSubject } from '@seckill/contracts';
import { createPrismaClient, databaseUrlFromEnv } from '@seckill/db';
import { createRedis, type NatsConnection, type RedisClient } from '@seckill/platform';
import { ownMetricNames } from '@seckill/platform/testing';
import {
  connect,
  deleteSaleKeys,
  connectReady,
  openNats,
  signerFor,
  startInProcessNode,
  testEnv,
  testServices,
  ticketEvent,
  type TestClient,
} from './helpers';
import { createRedisState } from '@seckill/redis-state';

describe('push gateway across three nodes (real NATS, Redis and WebSockets)', () => {
  const env = testEnv();
  const sign = signerFor(env);
  const nodes: Array<Awaited<ReturnType<typeof startInProcessNode>>> = [];
  const clients: TestClient[] = [];
  let nats: NatsConnection;
  let redis: RedisClient;
  const saleId = randomUUID();
  const users: string[] = [];

  function publish(userId: string, event: object): void {
    nats.publish(userTicketSubject(userId, env.NATS_SUBJECT_PREFIX), JSON.stringify(event));
  }
  function track(client: TestClient): TestClient {
    clients.push(client);
    return client;
  }
  function newUser(): string {
    const userId = `u-${randomUUID()}`;
    users.push(userId);
    return userId;
  }

  beforeAll(async () => {
    nats = await openNats();
    redis = createRedis(testServices.redisUrl);
    for (let i = 0; i < 3; i += 1) nodes.push(await startInProcessNode(env));
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await nats.close();
    await deleteSaleKeys(redis, saleId, users);
    await redis.quit();
  });

  it('delivers each user their own results on whichever node they are, and never another user’s', async () => {
    const spread = Array.from({ length: 9 }, (_, i) => ({ userId: newUser(), node: nodes[i % 3]! }));
    const sessions = await Promise.all(
      spread.map(async ({ userId, node }) => ({ userId, client: track(await connectReady(node.url, sign(userId))) })),
    );

    sessions.forEach(({ userId }, i) => publish(userId, ticketEvent(formatTicketId(saleId, i + 1))));
    // A final marker per user: once it arrived, anything misrouted before it would have arrived too.
    sessions.forEach(({ userId }) => publish(userId, { type: 'order', marker: true, userId }));

    await Promise.all(sessions.map(({ client }) => client.waitForMessage((message) => message.marker === true, 'the marker')));
    sessions.forEach(({ userId, client }, i) => {
      expect(client.tickets().map((ticket) => ticket.ticketId)).toEqual([formatTicketId(saleId, i + 1)]);
      expect(client.messages.filter((message) => message.type === 'order')).toEqual([{ type: 'order', marker: true, userId }]);
    });
  });

  it('delivers a result to every session of the user, on every node', async () => {
    const userId = newUser();
    const tabs = await Promise.all(nodes.map(async (node) => track(await connectReady(node.url, sign(userId)))));
    const ticketId = formatTicketId(saleId, 100);
    publish(userId, ticketEvent(ticketId));
    for (const tab of tabs) await tab.waitForMessage((message) => message.ticketId === ticketId);
  });

  it('sends ready then, on reconnect, a result published while the user was offline', async () => {
    const userId = newUser();
    const ticketId = formatTicketId(saleId, 200);
    await createRedisState({ redis }).recordResults([{ ticketId, saleId, userId, status: 'SUCCEEDED', orderId: 'order-200', at: 1234 }]);

    const client = track(connect(nodes[1]!.url, { token: sign(userId) }));
    const snapshot = await client.waitForMessage((message) => message.type === 'ticket');
    expect(client.messages[0]).toEqual({ type: 'ready', userId, expiresAt: expect.any(Number) });
    expect(snapshot).toEqual({ type: 'ticket', ticketId, saleId, status: 'SUCCEEDED', orderId: 'order-200', at: 1234 });
  });

  it('sends every live session its snapshot again once its NATS connection is back (what was published meanwhile is lost)', async () => {
    const userId = newUser();
    const [before, meanwhile] = [formatTicketId(saleId, 300), formatTicketId(saleId, 301)];
    const state = createRedisState({ redis });
    await state.recordResults([{ ticketId: before, saleId, userId, status: 'SUCCEEDED', orderId: 'order-300', at: 1 }]);
    const client = track(connect(nodes[2]!.url, { token: sign(userId) }));
    await client.waitForMessage((message) => message.ticketId === before, 'the snapshot');

    // Decided while the node was between NATS servers: in Redis, never delivered live.
    await state.recordResults([{ ticketId: meanwhile, saleId, userId, status: 'FAILED', reason: 'SOLD_OUT', at: 2 }]);
    await nodes[2]!.fastify.nats.reconnect();
    expect(await client.waitForMessage((message) => message.ticketId === meanwhile, 'the snapshot sent again')).toMatchObject({
      status: 'FAILED',
      reason: 'SOLD_OUT',
    });
  });

  it('sends, after going live, the final tickets only PostgreSQL still knows (Redis lost them)', async () => {
    const userId = newUser();
    const prisma = createPrismaClient({ databaseUrl: databaseUrlFromEnv() });
    const lostSaleId = randomUUID();
    const ticketId = formatTicketId(lostSaleId, 7);
    try {
      await prisma.sale.create({
        data: {
          id: lostSaleId,
          name: 'lost',
          stock: 0,
          initialStock: 1,
          queueCapacity: 1,
          startsAt: new Date(),
          endsAt: new Date(Date.now() + 60_000),
        },
      });
      const order = await prisma.order.create({ data: { saleId: lostSaleId, userId, ticketId, ticketNumber: 7 } });
      const client = track(connect(nodes[0]!.url, { token: sign(userId) }));
      const pushed = await client.waitForMessage((message) => message.type === 'ticket' && message.ticketId === ticketId);
      expect(pushed).toEqual({
        type: 'ticket',
        ticketId,
        saleId: lostSaleId,
        status: 'SUCCEEDED',
        orderId: order.id,
        at: order.createdAt.getTime(),
      });
    } finally {
      await prisma.order.deleteMany({ where: { saleId: lostSaleId } });
      await prisma.sale.delete({ where: { id: lostSaleId } });
      await prisma.$disconnect();
    }
  });

  it('accepts the token in Sec-WebSocket-Protocol and selects seckill.v1', async () => {
    const userId = newUser();
    const client = track(connect(nodes[2]!.url, { protocolToken: sign(userId) }));
    await client.waitForMessage((message) => message.type === 'ready');
    expect(client.socket.protocol).toBe('seckill.v1');
    publish(userId, ticketEvent(formatTicketId(saleId, 300)));
    await client.waitForMessage((message) => message.type === 'ticket');
  });

  it('answers an application-level ping with a pong', async () => {
    const client = track(await connectReady(nodes[0]!.url, sign(newUser())));
    client.socket.send(JSON.stringify({ type: 'ping' }));
    await client.waitForMessage((message) => message.type === 'pong');
  });

  describe('authentication', () => {
    it('closes with 4001 a token signed with another secret', async () => {
      const forged = signerFor(testEnv())(newUser());
      const { code } = await track(connect(nodes[0]!.url, { token: forged })).closed;
      expect(code).toBe(pushCloseCodes.UNAUTHORIZED);
    });

    it('closes with 4001 an expired token', async () => {
      const expired = signerFor(env, { expiresInMs: 1 })(newUser());
      await new Promise((resolve) => setTimeout(resolve, 5));
      const { code } = await track(connect(nodes[1]!.url, { token: expired })).closed;
      expect(code).toBe(pushCloseCodes.UNAUTHORIZED);
    });

    it('closes with 4001 a forged token offered in Sec-WebSocket-Protocol', async () => {
      const { code } = await track(connect(nodes[2]!.url, { protocolToken: 'not.a.jwt' })).closed;
      expect(code).toBe(pushCloseCodes.UNAUTHORIZED);
    });

    it('closes with 4001 a first message that is not an auth message', async () => {
      const client = track(connect(nodes[0]!.url));
      await client.opened;
      client.socket.send(JSON.stringify({ type: 'subscribe', userId: 'someone-else' }));
      expect((await client.closed).code).toBe(pushCloseCodes.UNAUTHORIZED);
    });

    it('never accepts a bare user id in the URL', async () => {
      const client = track(connect(`${nodes[0]!.url}?userId=${newUser()}`));
      await client.opened;
      client.socket.send(JSON.stringify({ type: 'auth', token: '' }));
      expect((await client.closed).code).toBe(pushCloseCodes.UNAUTHORIZED);
      expect(client.messages).toEqual([]);
    });
  });

  it('closes a socket that sends no auth within AUTH_TIMEOUT_MS with 4001', async () => {
    const node = await startInProcessNode({ ...env, AUTH_TIMEOUT_MS: '200' });
    try {
      const client = track(connect(node.url));
      const started = Date.now();
      const { code, reason } = await client.closed;
      expect(code).toBe(pushCloseCodes.UNAUTHORIZED);
      expect(reason).toBe('auth timeout');
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    } finally {
      await node.close();
    }
  });

  it('closes an oversized message with 1009 and keeps serving the other sessions', async () => {
    const bystanderId = newUser();
    const bystander = track(await connectReady(nodes[0]!.url, sign(bystanderId)));
    const offender = track(await connectReady(nodes[0]!.url, sign(newUser())));

    offender.socket.send(JSON.stringify({ type: 'ping', padding: 'x'.repeat(8 * 1024) }));
    expect((await offender.closed).code).toBe(pushCloseCodes.MESSAGE_TOO_BIG);

    publish(bystanderId, ticketEvent(formatTicketId(saleId, 400)));
    await bystander.waitForMessage((message) => message.type === 'ticket');
  });

  it('closes a client that floods messages with 4010 and keeps serving the other sessions', async () => {
    const bystanderId = newUser();
    const bystander = track(await connectReady(nodes[1]!.url, sign(bystanderId)));
    const flooder = track(await connectReady(nodes[1]!.url, sign(newUser())));

    for (let i = 0; i < 500; i += 1) flooder.socket.send(JSON.stringify({ type: 'noise', i }));
    expect((await flooder.closed).code).toBe(pushCloseCodes.RATE_LIMITED);

    publish(bystanderId, ticketEvent(formatTicketId(saleId, 500)));
    await bystander.waitForMessage((message) => message.type === 'ticket');
  });

  it('closes a non-JSON message with 4009', async () => {
    const client = track(await connectReady(nodes[2]!.url, sign(newUser())));
    client.socket.send('hello?');
    expect((await client.closed).code).toBe(pushCloseCodes.PROTOCOL_VIOLATION);
  });

  it('refuses a session beyond MAX_SESSIONS_PER_USER on a node with 4002', async () => {
    const userId = newUser();
    const node = nodes[2]!;
    const allowed = await Promise.all(Array.from({ length: 5 }, async () => track(await connectReady(node.url, sign(userId)))));
    const extra = track(connect(node.url, { token: sign(userId) }));
    expect((await extra.closed).code).toBe(pushCloseCodes.TOO_MANY_SESSIONS);

    allowed[0]!.close();
    await allowed[0]!.closed;
    await connectReady(node.url, sign(userId)).then(track);
  });

  describe('origin allowlist', () => {
    it('refuses the upgrade from a foreign origin with 403', async () => {
      const client = track(connect(nodes[0]!.url, { origin: 'https://evil.example', token: sign(newUser()) }));
      await expect(client.opened).rejects.toThrow('HTTP 403');
    });

    it('accepts an allowed origin and a client without Origin', async () => {
      track(await connectReady(nodes[0]!.url, sign(newUser())));
      const browser = track(connect(nodes[0]!.url, { origin: 'http://localhost:8080', token: sign(newUser()) }));
      await browser.waitForMessage((message) => message.type === 'ready');
    });
  });

  it('reports readiness and metrics', async () => {
    const node = nodes[0]!;
    const http = node.url.replace('ws://', 'http://').replace(/\/ws$/, '');
    const userId = newUser();
    const client = track(await connectReady(node.url, sign(userId)));
    publish(userId, ticketEvent(formatTicketId(saleId, 600)));
    await client.waitForMessage((message) => message.type === 'ticket');

    const ready = await fetch(`${http}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { redis: 'up', nats: 'up' } });
    expect((await fetch(`${http}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${http}/metrics`)).text();
    expect(ownMetricNames(metrics).filter((name) => !name.startsWith('seckill_push_'))).toEqual([]);
    expect(metrics).toMatch(/seckill_push_sessions\{[^}]*\} [1-9]/);
    expect(metrics).toMatch(/seckill_push_deliveries_total\{source="live"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/seckill_push_delivery_latency_seconds_count\{[^}]*\} [1-9]/);
    expect(metrics).toMatch(/seckill_push_closes_total\{code="4001"[^}]*\} [1-9]/);
  });
});
