import type { TicketView } from '@seckill/contracts';
import { createSeckillClient, type SeckillClientOptions, type TicketUpdate } from './client';
import { SeckillApiError } from './errors';
import { exampleSaleId as saleId } from './testing/examples';
import {
  acceptLatestSocket,
  useFakeTimersAndSockets,
  createFakeFetch,
  FakeWebSocket,
  type FakeReply,
  type FakeRequest,
} from './testing/fakes';

const ticketId = `${saleId}.1.42`;
const receipt = { ticketId, ticketNumber: 42, saleId, status: 'QUEUED', position: 17, estimatedWaitMs: 3_000 };
const queuedView: TicketView = { ticketId, saleId, ticketNumber: 42, status: 'QUEUED', position: 3 };
const succeededView: TicketView = { ticketId, saleId, ticketNumber: 42, status: 'SUCCEEDED', orderId: 'order-1' };
const pushUrls = ['ws://node-1/ws', 'ws://node-2/ws'];

/** A gateway that admits the purchase and answers polls from `ticketViews` in turn (the last one repeats). */
function fakeGateway(ticketViews: Array<TicketView | FakeReply> = [queuedView]) {
  let polls = 0;
  return createFakeFetch((request: FakeRequest): FakeReply => {
    if (request.method === 'POST') return { status: 202, body: receipt };
    if (request.method === 'DELETE') return { status: 200, body: { ...queuedView, status: 'CANCELLED' } };
    const next = ticketViews[Math.min(polls++, ticketViews.length - 1)]!;
    return 'ticketId' in next ? { status: 200, body: next } : next;
  });
}

function client(fetch: ReturnType<typeof createFakeFetch>, overrides: Partial<SeckillClientOptions> = {}) {
  const seckill = createSeckillClient({
    gatewayUrl: 'http://gateway.test',
    pushUrls,
    token: 'jwt-1',
    fetch,
    WebSocket: FakeWebSocket,
    random: () => 0,
    pollIntervalMs: 1_000,
    maxPollIntervalMs: 4_000,
    readyPollIntervalMs: 30_000,
    heartbeatIntervalMs: 0,
    ...overrides,
  });
  const updates: TicketUpdate[] = [];
  seckill.on('ticket', (update) => updates.push(update));
  return { seckill, updates };
}

const pushed = (status: string, extra: Record<string, unknown> = {}) => ({ type: 'ticket', ticketId, saleId, status, at: 1, ...extra });
const polls = (fetch: ReturnType<typeof createFakeFetch>) => fetch.requests.filter((request) => request.method === 'GET');

useFakeTimersAndSockets();

describe('buy', () => {
  it('returns the ticket at once and resolves the result when it is pushed', async () => {
    const fetch = fakeGateway();
    const { seckill } = client(fetch);
    const socket = await acceptLatestSocket();
    const { ticket, result } = await seckill.buy(saleId);
    expect(ticket).toEqual(receipt);
    socket.receive(pushed('SUCCEEDED', { orderId: 'order-1' }));
    await expect(result).resolves.toMatchObject({ ticketId, ticketNumber: 42, status: 'SUCCEEDED', orderId: 'order-1', via: 'push' });
    expect(polls(fetch)).toHaveLength(0);
    seckill.close();
  });

  it('sends a fresh idempotency key unless given one', async () => {
    const fetch = fakeGateway();
    const { seckill } = client(fetch, { WebSocket: null });
    await seckill.buy(saleId);
    await seckill.buy(saleId, { idempotencyKey: 'retry-of-1' });
    const keys = fetch.requests.filter((r) => r.method === 'POST').map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe('retry-of-1');
    seckill.close();
  });

  it('settles the result even when the push overtakes the HTTP answer', async () => {
    let answer!: () => void;
    const fetch = createFakeFetch(async () => {
      await new Promise<void>((resolve) => (answer = resolve));
      return { status: 202, body: receipt };
    });
    const { seckill, updates } = client(fetch);
    const socket = await acceptLatestSocket();
    const buying = seckill.buy(saleId);
    await jest.advanceTimersByTimeAsync(0);
    socket.receive(pushed('SUCCEEDED'));
    answer();
    const { result } = await buying;
    await expect(result).resolves.toMatchObject({ status: 'SUCCEEDED', via: 'push' });
    expect(updates.map((update) => update.status)).toEqual(['SUCCEEDED']);
    seckill.close();
  });

  it('settles at once when a repeated purchase finds the ticket already final', async () => {
    const fetch = createFakeFetch(() => ({ status: 200, body: succeededView }));
    const { seckill } = client(fetch, { WebSocket: null });
    const { ticket, result } = await seckill.buy(saleId);
    expect(ticket.status).toBe('SUCCEEDED');
    await expect(result).resolves.toMatchObject({ status: 'SUCCEEDED', orderId: 'order-1', via: 'buy' });
    expect(jest.getTimerCount()).toBe(0);
    seckill.close();
  });

  it('rejects with the typed error when the gateway refuses', async () => {
    const fetch = createFakeFetch(() => ({ status: 410, body: { error: { code: 'SOLD_OUT', message: 'Sold out' } } }));
    const { seckill } = client(fetch, { WebSocket: null });
    const error = await seckill.buy(saleId).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(SeckillApiError);
    expect(error).toMatchObject({ code: 'SOLD_OUT', status: 410 });
    seckill.close();
  });
});

describe('duplicate and late events', () => {
  it('emits each (ticket, status) once although the snapshot repeats it after a reconnect', async () => {
    const fetch = fakeGateway();
    const { seckill, updates } = client(fetch);
    const first = await acceptLatestSocket();
    await seckill.buy(saleId);
    first.receive(pushed('QUEUED'));
    first.drop(1012);
    await jest.advanceTimersByTimeAsync(0);
    const second = await acceptLatestSocket();
    second.receive(pushed('QUEUED'));
    second.receive(pushed('SUCCEEDED'));
    second.receive(pushed('SUCCEEDED'));
    expect(updates.map((update) => [update.status, update.via])).toEqual([
      ['QUEUED', 'buy'],
      ['SUCCEEDED', 'push'],
    ]);
    seckill.close();
  });

  it('never lets a stale QUEUED overwrite a final state', async () => {
    const fetch = fakeGateway();
    const { seckill, updates } = client(fetch);
    const socket = await acceptLatestSocket();
    const { result } = await seckill.buy(saleId);
    socket.receive(pushed('FAILED', { reason: 'SOLD_OUT' }));
    socket.receive(pushed('QUEUED'));
    await expect(result).resolves.toMatchObject({ status: 'FAILED', reason: 'SOLD_OUT' });
    expect(updates.at(-1)).toMatchObject({ status: 'FAILED' });
    await expect(seckill.track(ticketId)).resolves.toMatchObject({ status: 'FAILED' });
    seckill.close();
  });

  it('ignores malformed push messages and emits order events once', async () => {
    const { seckill, updates } = client(fakeGateway());
    const orders: unknown[] = [];
    seckill.on('order', (order) => orders.push(order));
    const socket = await acceptLatestSocket();
    socket.receive({ type: 'ticket', ticketId });
    const paid = { type: 'order', orderId: 'order-1', ticketId, saleId, status: 'PAID', at: 2 };
    socket.receive(paid);
    socket.receive(paid);
    socket.receive({ type: 'order', orderId: 'order-2', status: 'SHIPPED' });
    socket.receive({ type: 'something-new', ticketId });
    expect(updates).toEqual([]);
    expect(orders).toEqual([paid]);
    seckill.close();
  });
});

describe('polling fallback', () => {
  it('polls with growing intervals until a final state when there is no WebSocket', async () => {
    const fetch = fakeGateway([queuedView, queuedView, queuedView, succeededView]);
    const { seckill } = client(fetch, { WebSocket: null, random: () => 1 });
    expect(seckill.connection.status).toBe('unavailable');
    const { result } = await seckill.buy(saleId);
    const pollTimes: number[] = [];
    const start = Date.now();
    fetch.requests.length = 0;
    for (let i = 0; i < 60 && polls(fetch).length < 4; i++) {
      const before = polls(fetch).length;
      await jest.advanceTimersByTimeAsync(250);
      if (polls(fetch).length > before) pollTimes.push(Date.now() - start);
    }
    // Delay ceilings 1000, 1500, 2250, 3375 ms (factor 1.5, random = 1).
    expect(pollTimes).toEqual([1_000, 2_500, 4_750, 8_125].map((t) => Math.ceil(t / 250) * 250));
    await expect(result).resolves.toMatchObject({ status: 'SUCCEEDED', orderId: 'order-1', via: 'poll' });
    await jest.advanceTimersByTimeAsync(60_000);
    expect(polls(fetch)).toHaveLength(4);
    seckill.close();
  });

  it('caps the poll interval', async () => {
    const fetch = fakeGateway([queuedView]);
    const { seckill } = client(fetch, { WebSocket: null, random: () => 1 });
    await seckill.buy(saleId);
    await jest.advanceTimersByTimeAsync(60_000);
    const count = polls(fetch).length;
    await jest.advanceTimersByTimeAsync(40_000);
    expect(polls(fetch).length - count).toBe(10);
    seckill.close();
  });

  it('polls while every push node refuses, and stops polling once push is ready', async () => {
    for (const url of pushUrls) FakeWebSocket.refusing.add(url);
    const fetch = fakeGateway([queuedView]);
    const { seckill } = client(fetch, { random: () => 1 });
    await seckill.buy(saleId);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(polls(fetch)).toHaveLength(1);

    FakeWebSocket.refusing.clear();
    await jest.advanceTimersByTimeAsync(2_000);
    const socket = await acceptLatestSocket();
    const pollsWhenReady = polls(fetch).length;
    await jest.advanceTimersByTimeAsync(29_000);
    expect(polls(fetch)).toHaveLength(pollsWhenReady);
    socket.receive(pushed('SUCCEEDED'));
    await jest.advanceTimersByTimeAsync(60_000);
    expect(polls(fetch)).toHaveLength(pollsWhenReady);
    seckill.close();
  });

  it('resumes polling soon after the push connection is lost', async () => {
    const fetch = fakeGateway([queuedView, succeededView]);
    const { seckill } = client(fetch, { random: () => 1, reconnect: { initialMs: 60_000, maxMs: 60_000 } });
    const socket = await acceptLatestSocket();
    const { result } = await seckill.buy(saleId);
    socket.drop(1006);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(polls(fetch)).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1_500);
    await expect(result).resolves.toMatchObject({ status: 'SUCCEEDED', via: 'poll' });
    seckill.close();
  });

  it('still polls now and then while push is ready, so a result push missed arrives', async () => {
    const fetch = fakeGateway([succeededView]);
    const { seckill } = client(fetch);
    await acceptLatestSocket();
    const { result } = await seckill.buy(saleId);
    await jest.advanceTimersByTimeAsync(30_000);
    await expect(result).resolves.toMatchObject({ status: 'SUCCEEDED', via: 'poll' });
    seckill.close();
  });

  it('keeps polling through network errors and server errors', async () => {
    const fetch = fakeGateway([{ status: 503 }, { status: 500, body: 'oops' }, succeededView]);
    const { seckill } = client(fetch, { WebSocket: null, random: () => 1 });
    const { result } = await seckill.buy(saleId);
    await jest.advanceTimersByTimeAsync(10_000);
    await expect(result).resolves.toMatchObject({ status: 'SUCCEEDED' });
    seckill.close();
  });

  it('rejects the result when the ticket cannot be read (not found)', async () => {
    const fetch = fakeGateway([{ status: 404, body: { error: { code: 'TICKET_NOT_FOUND', message: 'no such ticket' } } }]);
    const { seckill } = client(fetch, { WebSocket: null });
    const { result } = await seckill.buy(saleId);
    const settled = result.catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(1_000);
    await expect(settled).resolves.toMatchObject({ code: 'TICKET_NOT_FOUND', status: 404 });
    seckill.close();
  });
});

describe('cancel and close', () => {
  it('settles the result as CANCELLED when the shopper cancels', async () => {
    const fetch = fakeGateway();
    const { seckill } = client(fetch);
    await acceptLatestSocket();
    const { result } = await seckill.buy(saleId);
    await expect(seckill.cancel(ticketId)).resolves.toMatchObject({ status: 'CANCELLED', via: 'cancel' });
    await expect(result).resolves.toMatchObject({ status: 'CANCELLED' });
    expect(fetch.requests.at(-1)).toMatchObject({ method: 'DELETE', headers: { authorization: 'Bearer jwt-1' } });
    seckill.close();
  });

  it('rejects waiting results and stops all timers when closed', async () => {
    const fetch = fakeGateway();
    const { seckill } = client(fetch, { WebSocket: null });
    const { result } = await seckill.buy(saleId);
    seckill.close();
    await expect(result).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
    expect(jest.getTimerCount()).toBe(0);
  });

  it('reports connection changes as typed events', async () => {
    const { seckill } = client(fakeGateway());
    const states: string[] = [];
    seckill.on('connection', (state) => states.push(`${state.status}${state.url ? ` ${state.url}` : ''}`));
    const socket = await acceptLatestSocket();
    socket.drop(1012);
    seckill.close();
    expect(states).toEqual(['ready ws://node-1/ws', 'reconnecting ws://node-2/ws', 'closed']);
  });
});

describe('bot friction and the lottery', () => {
  const challenge = { challenge: 'v1.c', difficulty: 4, expiresAt: '2026-01-01T10:02:00Z' };
  const prequeued = { saleId, status: 'PREQUEUED', drawsAt: '2026-01-01T10:00:00Z', drawsInMs: 5_000, prequeueSize: 7 };

  it('solves the challenge a sale asks for, then buys with it', async () => {
    let purchases = 0;
    const fetch = createFakeFetch((request) => {
      if (request.url.endsWith('/challenge')) return { status: 201, body: challenge };
      purchases += 1;
      if (!request.headers['x-seckill-challenge'])
        return { status: 428, body: { error: { code: 'CHALLENGE_REQUIRED', message: 'solve one' } } };
      return { status: 202, body: receipt };
    });
    const solveChallenge = jest.fn(async () => '1234');
    const onChallenge = jest.fn();
    const { seckill } = client(fetch, { WebSocket: null, solveChallenge });
    const { ticket } = await seckill.buy(saleId, { onChallenge });
    expect(ticket).toMatchObject({ ticketId });
    expect(solveChallenge).toHaveBeenCalledWith(challenge);
    expect(onChallenge).toHaveBeenCalledWith(challenge);
    expect(purchases).toBe(2);
    expect(fetch.requests.at(-1)?.headers).toMatchObject({ 'x-seckill-challenge': 'v1.c', 'x-seckill-solution': '1234' });
    seckill.close();
  });

  it('gives up after two refused challenges', async () => {
    const fetch = createFakeFetch((request) =>
      request.url.endsWith('/challenge')
        ? { status: 201, body: challenge }
        : { status: 403, body: { error: { code: 'CHALLENGE_INVALID', message: 'used' } } },
    );
    const { seckill } = client(fetch, { WebSocket: null, solveChallenge: async () => '1' });
    await expect(seckill.buy(saleId)).rejects.toMatchObject({ code: 'CHALLENGE_INVALID' });
    seckill.close();
  });

  it('waits in the pre-queue until the draw, then resolves with the drawn ticket', async () => {
    let purchases = 0;
    const fetch = createFakeFetch(() => (purchases++ === 0 ? { status: 202, body: prequeued } : { status: 202, body: receipt }));
    const { seckill } = client(fetch, { WebSocket: null });
    const onPrequeued = jest.fn();
    let bought: unknown;
    void seckill.buy(saleId, { onPrequeued }).then((purchase) => (bought = purchase.ticket));
    await jest.advanceTimersByTimeAsync(4_900);
    expect(onPrequeued).toHaveBeenCalledWith(prequeued);
    expect(bought).toBeUndefined();
    await jest.advanceTimersByTimeAsync(200);
    expect(bought).toMatchObject({ ticketId, ticketNumber: 42 });
    seckill.close();
  });

  it('tells a shopper the draw did not reach as a purchase then would be told', async () => {
    let purchases = 0;
    const fetch = createFakeFetch(() =>
      purchases++ === 0
        ? { status: 202, body: { ...prequeued, drawsInMs: 0 } }
        : { status: 410, body: { error: { code: 'SOLD_OUT', message: 'gone' } } },
    );
    const { seckill } = client(fetch, { WebSocket: null });
    const bought = seckill.buy(saleId);
    bought.catch(() => undefined);
    await jest.advanceTimersByTimeAsync(300);
    await expect(bought).rejects.toMatchObject({ code: 'SOLD_OUT' });
    seckill.close();
  });

  it('reads and pays an order', async () => {
    const order = { orderId: 'o-1', saleId, ticketId, status: 'PENDING_PAYMENT', expiresAt: '2026-01-01T10:15:00Z' };
    const fetch = createFakeFetch((request) => ({
      status: 200,
      body: request.method === 'POST' ? { ...order, status: 'PAID', paidAt: 'now' } : order,
    }));
    const { seckill } = client(fetch, { WebSocket: null });
    await expect(seckill.getOrder('o-1')).resolves.toEqual(order);
    await expect(seckill.pay('o-1')).resolves.toMatchObject({ status: 'PAID' });
    expect(fetch.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET http://gateway.test/api/orders/o-1',
      'POST http://gateway.test/api/orders/o-1/pay',
    ]);
    seckill.close();
  });
});
