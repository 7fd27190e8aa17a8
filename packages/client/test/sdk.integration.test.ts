import { randomUUID } from 'node:crypto';
import {
  createSale as createStackSale,
  freshOrderTopics,
  startStack,
  type AppProcess,
  type SaleOptions,
  type Stack,
} from '@seckill/devstack';
import { createUserTokenSigner } from '@seckill/platform';
import { uniqueName, waitFor } from '@seckill/platform/testing';
import WebSocket from 'ws';
import { createSeckillClient, SeckillApiError, type OrderEvent, type SeckillClient } from '../src';
import { createWorkerThreadChallengeSolver } from '../src/node';

// The SDK against the real apps as separate processes (gateway, order-worker, three
// push nodes) on PostgreSQL, Redis, Kafka and NATS, with a fresh Kafka topic and group.
describe('SDK against the running system', () => {
  let stack: Stack;
  let signToken: (userId: string) => string;
  const clients: SeckillClient[] = [];

  beforeAll(async () => {
    stack = await startStack({
      pushNodes: 3,
      // Ports of their own: e2e uses 13000.., the load test 14000.., the browser test 17000..
      basePorts: { gateway: 16000, pushGateway: 16001, worker: 16100 },
      // Shedding off: a gateway still compiling (tsx) may shed its first requests (shedding is tested in the gateway).
      env: { LOG_LEVEL: 'warn', SHED_EVENT_LOOP_DELAY_MS: '0', ...(await freshOrderTopics('sdk')) },
    });
    signToken = createUserTokenSigner(stack.env.AUTH_SECRET!);
  }, 120_000);

  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  async function createSale(stock: number, options: Partial<SaleOptions> = {}): Promise<string> {
    const sale = await createStackSale(stack.gatewayUrls[0]!, stack.env.ADMIN_TOKEN!, { name: uniqueName('sdk-sale'), stock, ...options });
    return sale.id;
  }

  /** A client whose polling is slowed right down, so a result it gets must have come by push. */
  function pushClient(userId = `sdk-${randomUUID()}`): SeckillClient {
    const client = createSeckillClient({
      gatewayUrl: stack.gatewayUrls[0]!,
      pushUrls: stack.pushUrls,
      token: signToken(userId),
      WebSocket,
      pollIntervalMs: 120_000,
      readyPollIntervalMs: 120_000,
      reconnect: { initialMs: 100, maxMs: 1_000 },
    });
    clients.push(client);
    return client;
  }

  const ready = (client: SeckillClient) =>
    waitFor(() => (client.connection.status === 'ready' ? client.connection.url : undefined), { what: 'push ready' });

  function nodeServing(url: string): AppProcess {
    const port = Number(new URL(url).port);
    const node = stack.processes.find((proc) => proc.app === 'push-gateway' && proc.port === port);
    if (!node) throw new Error(`no push node on ${url}`);
    return node;
  }

  it('joins a lottery with bot friction from Node (worker thread), gets the drawn ticket, pays, hears PAID', async () => {
    const startsAt = Date.now() + 3_000;
    const saleId = await createSale(2, {
      startsAt: new Date(startsAt).toISOString(),
      prequeueOpensAt: new Date(Date.now() - 1_000).toISOString(),
      challengeDifficulty: 10,
    });
    const solver = createWorkerThreadChallengeSolver();
    const client = createSeckillClient({
      gatewayUrl: stack.gatewayUrls[0]!,
      pushUrls: stack.pushUrls,
      token: signToken(`sdk-${randomUUID()}`),
      WebSocket,
      solveChallenge: solver,
    });
    clients.push(client);
    const steps: string[] = [];
    try {
      const { ticket, result } = await client.buy(saleId, {
        onChallenge: ({ difficulty }) => steps.push(`challenge ${difficulty}`),
        onPrequeued: ({ prequeueSize }) => steps.push(`prequeued ${prequeueSize}`),
      });
      expect(steps).toEqual(['challenge 10', 'prequeued 1']);
      expect(Date.now()).toBeGreaterThanOrEqual(startsAt);
      // Drawn at the start (by a purchase or the relay's sweep), perhaps decided already when asked again.
      expect(ticket).toMatchObject({ ticketNumber: 1, status: expect.stringMatching(/^(QUEUED|SUCCEEDED)$/) });
      const final = await result;
      expect(final).toMatchObject({ status: 'SUCCEEDED', orderId: expect.any(String) });
      const paidEvent = new Promise<OrderEvent>((resolve) => client.on('order', resolve));
      expect(await client.getOrder(final.orderId!)).toMatchObject({ status: 'PENDING_PAYMENT', expiresAt: expect.any(String) });
      expect(await client.pay(final.orderId!)).toMatchObject({ status: 'PAID' });
      expect(await paidEvent).toMatchObject({ orderId: final.orderId, status: 'PAID' });
    } finally {
      solver.close();
    }
  });

  it('buys a ticket and receives the result by push', async () => {
    const saleId = await createSale(10);
    const client = pushClient();
    await ready(client);
    const { ticket, result } = await client.buy(saleId);
    expect(ticket).toMatchObject({ saleId, status: 'QUEUED' });
    await expect(result).resolves.toMatchObject({ ticketId: ticket.ticketId, status: 'SUCCEEDED', via: 'push' });
    expect((await client.getTicket(ticket.ticketId)).orderId).toEqual(expect.any(String));
  });

  it('maps the gateway refusing a sold-out sale to a typed error', async () => {
    const saleId = await createSale(1);
    const first = pushClient();
    await (
      await first.buy(saleId)
    ).result;
    const error = await pushClient()
      .buy(saleId)
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(SeckillApiError);
    expect(error).toMatchObject({ code: 'SOLD_OUT', status: 410 });
  });

  it('gets the result by polling where there is no WebSocket', async () => {
    const saleId = await createSale(5);
    const client = createSeckillClient({
      gatewayUrl: stack.gatewayUrls[0]!,
      token: signToken(`sdk-${randomUUID()}`),
      WebSocket: null,
      pollIntervalMs: 200,
    });
    clients.push(client);
    const { result } = await client.buy(saleId);
    await expect(result).resolves.toMatchObject({ status: 'SUCCEEDED', via: 'poll' });
  });

  it('cancels a ticket while it is still queued or reports that it was already called', async () => {
    const saleId = await createSale(5);
    const client = pushClient();
    const { ticket, result } = await client.buy(saleId);
    const cancelled = await client.cancel(ticket.ticketId).catch((error: unknown) => error);
    const final = await result;
    // Either outcome of the race with the worker is fine; the SDK must report it consistently.
    if (cancelled instanceof SeckillApiError) {
      expect(cancelled).toMatchObject({ code: 'TICKET_NOT_CANCELLABLE', status: 409 });
      expect(final.status).toBe('SUCCEEDED');
    } else {
      expect(cancelled).toMatchObject({ ticketId: ticket.ticketId, status: 'CANCELLED' });
      expect(final.status).toBe('CANCELLED');
    }
  });

  it('moves to another node when its node drains (SIGTERM) and still receives the result', async () => {
    const saleId = await createSale(5);
    const client = pushClient();
    const firstUrl = await ready(client);
    const states: string[] = [];
    client.on('connection', (state) => states.push(`${state.status}:${state.closeCode ?? ''}`));
    nodeServing(firstUrl).child.kill('SIGTERM');
    await waitFor(() => (client.connection.status === 'ready' && client.connection.url !== firstUrl ? true : undefined), {
      what: 'a session on another node',
    });
    expect(states).toContain('reconnecting:1012');
    const { result } = await client.buy(saleId);
    await expect(result).resolves.toMatchObject({ status: 'SUCCEEDED', via: 'push' });
  });

  it('reconnects to a surviving node after its node is SIGKILLed, and the result bought meanwhile arrives', async () => {
    const saleId = await createSale(5);
    const client = pushClient();
    const firstUrl = await ready(client);
    nodeServing(firstUrl).child.kill('SIGKILL');
    // Bought while the client has no session: the result comes with the next node's snapshot or live.
    const { result } = await client.buy(saleId);
    await expect(result).resolves.toMatchObject({ status: 'SUCCEEDED', via: 'push' });
    expect(client.connection.url).not.toBe(firstUrl);
    expect(client.connection.status).toBe('ready');
  });
});
