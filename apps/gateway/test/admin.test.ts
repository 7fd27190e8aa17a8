import type { AdminSale, EndSaleResult, SaleStats } from '@seckill/contracts';
import { waitFor } from '@seckill/platform/testing';
import { gatewayForSuite } from './gateway-harness';

describe('admin API', () => {
  const gateway = gatewayForSuite({ ADMIN_CHANGE_LEAD_MS: '2000', STATS_STREAM_INTERVAL_MS: '200' });

  const admin = (method: 'GET' | 'PATCH' | 'POST', url: string, payload?: object) =>
    gateway.app.inject({ method, url, headers: gateway.adminHeaders, ...(payload ? { payload } : {}) });
  const upcoming = () => {
    const startsAt = Date.now() + 600_000;
    return gateway.createSale({ stock: 5, startsAt: new Date(startsAt).toISOString(), endsAt: new Date(startsAt + 60_000).toISOString() });
  };

  it.each([
    ['GET', '/api/admin/sales'],
    ['PATCH', '/api/admin/sales/3f1c2d4e-0000-4000-8000-000000000001'],
    ['POST', '/api/admin/sales/3f1c2d4e-0000-4000-8000-000000000001/end'],
    ['GET', '/api/admin/sales/3f1c2d4e-0000-4000-8000-000000000001/stats'],
    ['GET', '/api/admin/sales/3f1c2d4e-0000-4000-8000-000000000001/stats/stream'],
  ] as const)('%s %s needs the admin token', async (method, url) => {
    const response = await gateway.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${gateway.userToken('mallory')}` },
      payload: method === 'PATCH' ? { name: 'x' } : undefined,
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('UNAUTHORIZED');
  });

  describe('GET /api/admin/sales', () => {
    it("lists the newest sales first with PostgreSQL's stock and their state", async () => {
      const first = await gateway.createSale({ stock: 3 });
      const second = await upcoming();
      const response = await admin('GET', '/api/admin/sales?limit=2');
      expect(response.statusCode).toBe(200);
      const { sales } = response.json<{ sales: AdminSale[] }>();
      expect(sales.map((sale) => [sale.id, sale.state, sale.stock])).toEqual([
        [second.id, 'UPCOMING', 5],
        [first.id, 'ACTIVE', 3],
      ]);
    });

    it('rejects a limit out of range with 400', async () => {
      expect((await admin('GET', '/api/admin/sales?limit=0')).statusCode).toBe(400);
    });
  });

  describe('PATCH /api/admin/sales/:saleId', () => {
    it('changes an upcoming sale in PostgreSQL and in Redis', async () => {
      const sale = await upcoming();
      const startsAt = new Date(Date.now() + 300_000).toISOString();
      const response = await admin('PATCH', `/api/admin/sales/${sale.id}`, { stock: 8, queueCapacity: 2, name: 'Renamed', startsAt });
      expect(response.statusCode).toBe(200);
      expect(response.json<AdminSale>()).toMatchObject({
        name: 'Renamed',
        stock: 8,
        initialStock: 8,
        queueCapacity: 2,
        startsAt,
        state: 'UPCOMING',
      });
      const view = (await gateway.app.inject(`/api/sales/${sale.id}`)).json();
      expect(view).toMatchObject({ name: 'Renamed', remainingStock: 8, initialStock: 8, queueCapacity: 2, startsAt });
    });

    it('turns an upcoming sale into a lottery with bot friction, and refuses once its pre-queue opens within the lead time', async () => {
      const sale = await upcoming();
      const prequeueOpensAt = new Date(Date.now() + 1_500 + gateway.config.ADMIN_CHANGE_LEAD_MS).toISOString();
      const response = await admin('PATCH', `/api/admin/sales/${sale.id}`, { prequeueOpensAt, challengeDifficulty: 4 });
      expect(response.statusCode).toBe(200);
      expect(response.json<AdminSale>()).toMatchObject({ prequeueOpensAt, challengeDifficulty: 4, state: 'UPCOMING' });
      expect((await gateway.app.inject(`/api/sales/${sale.id}`)).json()).toMatchObject({ prequeueOpensAt, challengeDifficulty: 4 });
      const afterStart = await admin('PATCH', `/api/admin/sales/${sale.id}`, {
        prequeueOpensAt: new Date(Date.parse(sale.startsAt) + 1_000).toISOString(),
      });
      expect([afterStart.statusCode, afterStart.json().error.code]).toEqual([400, 'INVALID_INPUT']);

      await new Promise((resolve) => setTimeout(resolve, 1_600));
      const opened = await admin('PATCH', `/api/admin/sales/${sale.id}`, { prequeueOpensAt: null });
      expect([opened.statusCode, opened.json().error.code]).toEqual([409, 'SALE_ALREADY_STARTED']);
      expect((await gateway.app.inject(`/api/sales/${sale.id}`)).json()).toMatchObject({ prequeueOpensAt, challengeDifficulty: 4 });
    });

    it('refuses a running sale with 409 SALE_ALREADY_STARTED and changes nothing', async () => {
      const sale = await gateway.createSale({ stock: 4 });
      const response = await admin('PATCH', `/api/admin/sales/${sale.id}`, { stock: 100 });
      expect(response.statusCode).toBe(409);
      expect(response.json().error.code).toBe('SALE_ALREADY_STARTED');
      expect(await gateway.app.prisma.sale.findUniqueOrThrow({ where: { id: sale.id } })).toMatchObject({ stock: 4, initialStock: 4 });
      expect((await gateway.app.inject(`/api/sales/${sale.id}`)).json().remainingStock).toBe(4);
    });

    it('refuses a change that starts the sale within the lead time, or ends it before it starts', async () => {
      const sale = await upcoming();
      const soon = await admin('PATCH', `/api/admin/sales/${sale.id}`, { startsAt: new Date(Date.now() + 500).toISOString() });
      expect([soon.statusCode, soon.json().error.code]).toEqual([400, 'INVALID_INPUT']);
      const backwards = await admin('PATCH', `/api/admin/sales/${sale.id}`, { endsAt: new Date(Date.now() + 1_000).toISOString() });
      expect([backwards.statusCode, backwards.json().error.code]).toEqual([400, 'INVALID_INPUT']);
    });

    it('rejects an empty or unknown change with 400, and an unknown sale with 404', async () => {
      const sale = await upcoming();
      expect((await admin('PATCH', `/api/admin/sales/${sale.id}`, {})).statusCode).toBe(400);
      expect((await admin('PATCH', `/api/admin/sales/${sale.id}`, { price: 3 })).statusCode).toBe(400);
      const unknown = await admin('PATCH', '/api/admin/sales/3f1c2d4e-0000-4000-8000-000000000001', { name: 'x' });
      expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'SALE_NOT_FOUND']);
    });
  });

  describe('POST /api/admin/sales/:saleId/end', () => {
    it('stops new tickets at once, gives holders theirs back and leaves the queued tickets to the workers', async () => {
      const sale = await gateway.createSale({ stock: 5 });
      const held = await gateway.buy(sale.id, 'end-holder');
      expect(held.statusCode).toBe(202);

      const response = await admin('POST', `/api/admin/sales/${sale.id}/end`);
      expect(response.statusCode).toBe(200);
      const ended = response.json<EndSaleResult>();
      expect(ended).toMatchObject({ sale: { id: sale.id, state: 'ENDED', remainingStock: 4, queueDepth: 1 }, queuedTickets: 1 });
      expect(Math.abs(Date.parse(ended.endedAt) - Date.now())).toBeLessThan(2_000);

      const late = await gateway.buy(sale.id, 'end-latecomer');
      expect([late.statusCode, late.json().error.code]).toEqual([403, 'SALE_NOT_ACTIVE']);
      const again = await gateway.buy(sale.id, 'end-holder');
      expect([again.statusCode, again.json().ticketId]).toEqual([202, held.json().ticketId]);
      // The queued ticket's message is on its way to the workers, as before the end.
      expect((await gateway.readOrders(1)).map((order) => order.ticketId)).toContain(held.json().ticketId);
      const row = await gateway.app.prisma.sale.findUniqueOrThrow({ where: { id: sale.id } });
      expect(row.endsAt.toISOString()).toBe(ended.endedAt);
    });

    it('ends an upcoming sale before it starts, and is idempotent', async () => {
      const sale = await upcoming();
      const first = (await admin('POST', `/api/admin/sales/${sale.id}/end`)).json<EndSaleResult>();
      expect(first.sale).toMatchObject({ state: 'ENDED', startsAt: first.endedAt, endsAt: first.endedAt });
      const second = await admin('POST', `/api/admin/sales/${sale.id}/end`);
      expect(second.json<EndSaleResult>().endedAt).toBe(first.endedAt);
      expect((await gateway.buy(sale.id, 'too-early')).statusCode).toBe(403);
    });

    it('answers 404 for an unknown sale', async () => {
      expect((await admin('POST', '/api/admin/sales/3f1c2d4e-0000-4000-8000-000000000001/end')).statusCode).toBe(404);
    });
  });

  describe('GET /api/admin/sales/:saleId/stats', () => {
    it('counts admissions and refusals by reason from the purchases, beside the stock in Redis and PostgreSQL and the queue', async () => {
      const sale = await gateway.createSale({ stock: 2 });
      await gateway.workersCaughtUp(); // earlier tests' messages
      for (const userId of ['s-1', 's-2', 's-3', 's-4']) await gateway.buy(sale.id, userId);
      await gateway.buy(sale.id, 's-1'); // a repeat: the same ticket

      const stats = await waitFor(
        async () => {
          const response = await admin('GET', `/api/admin/sales/${sale.id}/stats`);
          const body = response.json<SaleStats>();
          return body.totals.admitted === 2 && body.totals.repeated === 1 ? body : undefined;
        },
        { what: 'the activity to be recorded' },
      );
      expect(stats).toMatchObject({
        sale: { id: sale.id, state: 'SOLD_OUT' },
        stock: { initial: 2, redis: 0, postgres: 2 },
        orders: { total: 0 },
        queue: { depth: 2, capacity: 2 },
        totals: { admitted: 2, repeated: 1, refused: { SOLD_OUT: 2 }, ordered: 0 },
        rates: { windowSeconds: 5 },
      });
      // No worker consumes this harness's topic: both order messages are behind.
      expect(stats.workers.lag).toBe(2);
      await gateway.workersCaughtUp();
      expect((await admin('GET', `/api/admin/sales/${sale.id}/stats`)).json<SaleStats>().workers.lag).toBe(0);
    });

    it('averages the rates over the last complete seconds', async () => {
      const sale = await gateway.createSale({ stock: 50 });
      for (let i = 0; i < 10; i++) await gateway.buy(sale.id, `rate-${i}`);
      // Once every second of the purchases is complete and in the window (they may straddle two): 10 admissions over it.
      const stats = await waitFor(
        async () => {
          const body = (await admin('GET', `/api/admin/sales/${sale.id}/stats`)).json<SaleStats>();
          return Math.round(body.rates.admissions * body.rates.windowSeconds) >= 10 ? body : undefined;
        },
        { timeoutMs: 8_000, what: 'the 10 admissions in the rate window' },
      );
      expect(Math.round(stats.rates.admissions * stats.rates.windowSeconds)).toBe(10);
    });

    it('answers 404 for an unknown sale', async () => {
      expect((await admin('GET', '/api/admin/sales/3f1c2d4e-0000-4000-8000-000000000001/stats')).statusCode).toBe(404);
    });
  });

  describe('GET /api/admin/sales/:saleId/stats/stream', () => {
    it('pushes a stats event per interval that follows the sale, until the client leaves', async () => {
      const sale = await gateway.createSale({ stock: 5 });
      const address = await gateway.app.listen({ port: 0, host: '127.0.0.1' });
      const leave = new AbortController();
      const response = await fetch(`${address}/api/admin/sales/${sale.id}/stats/stream`, {
        headers: { ...gateway.adminHeaders, accept: 'text/event-stream' },
        signal: leave.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      const events: SaleStats[] = [];
      let buffer = '';
      let bought = false;
      while (!events.some((event) => event.stock.redis === 4)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += value;
        const blocks = buffer.split('\n\n');
        buffer = blocks.pop()!;
        for (const block of blocks) {
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (block.includes('event: stats') && data) events.push(JSON.parse(data.slice(6)) as SaleStats);
        }
        if (events.length > 0 && !bought) {
          bought = true;
          expect((await gateway.buy(sale.id, 'streamed')).statusCode).toBe(202);
        }
      }
      expect(events[0]).toMatchObject({ sale: { id: sale.id }, stock: { redis: 5 } });
      expect(events.length).toBeGreaterThanOrEqual(2);
      leave.abort();
    });

    it('answers 404 for an unknown sale before any stream starts', async () => {
      const response = await admin('GET', '/api/admin/sales/3f1c2d4e-0000-4000-8000-000000000001/stats/stream');
      expect(response.statusCode).toBe(404);
    });
  });

  it('documents every admin route in the OpenAPI document', async () => {
    const document = (await gateway.app.inject('/openapi.json')).json<{ paths: Record<string, Record<string, unknown>> }>();
    expect(Object.keys(document.paths['/api/admin/sales/{saleId}'] ?? {})).toEqual(['patch']);
    for (const path of ['/api/admin/sales/{saleId}/end', '/api/admin/sales/{saleId}/stats', '/api/admin/sales/{saleId}/stats/stream']) {
      expect(document.paths[path]).toBeDefined();
    }
    expect(Object.keys(document.paths['/api/admin/sales'] ?? {}).sort()).toEqual(['get', 'post']);
  });
});
