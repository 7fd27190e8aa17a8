import { randomUUID } from 'node:crypto';
import { formatTicketId, type TicketReceipt } from '@seckill/contracts';
import { uniqueName } from '@seckill/platform/testing';
import { gatewayForSuite, startGateway } from './gateway-harness';
import { redisKeys } from '@seckill/redis-state';

describe('POST /api/sales/:saleId/orders', () => {
  const gateway = gatewayForSuite();

  it('answers 202 with a numbered QUEUED ticket, stores it and produces its order message', async () => {
    const sale = await gateway.createSale({ stock: 5 });
    const userId = uniqueName('alice');
    const response = await gateway.buy(sale.id, userId);

    expect(response.statusCode).toBe(202);
    const receipt = response.json<TicketReceipt>();
    expect(receipt).toEqual({
      ticketId: formatTicketId(sale.id, 1),
      ticketNumber: 1,
      saleId: sale.id,
      status: 'QUEUED',
      position: 0,
      estimatedWaitMs: expect.any(Number),
    });
    const ticket = await gateway.app.redis.hgetall(redisKeys.ticket(sale.id, receipt.ticketId));
    expect(ticket).toMatchObject({ ticketId: receipt.ticketId, saleId: sale.id, userId, ticketNumber: '1', status: 'QUEUED' });

    const orders = await gateway.readOrders(1);
    expect(orders.find((order) => order.ticketId === receipt.ticketId)).toMatchObject({ v: 1, saleId: sale.id, userId, ticketNumber: 1 });
  });

  it('counts the still-queued tickets ahead as the position', async () => {
    const sale = await gateway.createSale({ stock: 5 });
    const receipts = [];
    for (const userId of ['p1', 'p2', 'p3']) receipts.push((await gateway.buy(sale.id, uniqueName(userId))).json<TicketReceipt>());
    expect(receipts.map((receipt) => receipt.position)).toEqual([0, 1, 2]);
    expect(receipts[2]!.estimatedWaitMs).toBeGreaterThan(receipts[0]!.estimatedWaitMs);
  });

  it('returns the same ticket to a double click and to a repeated Idempotency-Key', async () => {
    const sale = await gateway.createSale({ stock: 5 });
    const userId = uniqueName('bob');
    const [first, second] = await Promise.all([gateway.buy(sale.id, userId), gateway.buy(sale.id, userId)]);
    const third = await gateway.buy(sale.id, userId, { 'idempotency-key': 'k-1' });
    const ids = [first, second, third].map((response) => {
      expect(response.statusCode).toBe(202);
      return response.json<TicketReceipt>().ticketId;
    });
    expect(new Set(ids).size).toBe(1);
    expect(await gateway.app.redis.get(redisKeys.stockTokens(sale.id))).toBe('4');
  });

  it('answers 403 SALE_NOT_ACTIVE before the sale starts and after it ends', async () => {
    const upcoming = await gateway.createSale({
      startsAt: new Date(Date.now() + 60_000).toISOString(),
      endsAt: new Date(Date.now() + 120_000).toISOString(),
    });
    const ended = await gateway.createSale({
      startsAt: new Date(Date.now() - 120_000).toISOString(),
      endsAt: new Date(Date.now() - 60_000).toISOString(),
    });
    for (const sale of [upcoming, ended]) {
      const response = await gateway.buy(sale.id, uniqueName('early'));
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('SALE_NOT_ACTIVE');
    }
  });

  it('answers 410 SOLD_OUT once the stock is gone', async () => {
    const sale = await gateway.createSale({ stock: 1 });
    expect((await gateway.buy(sale.id, uniqueName('winner'))).statusCode).toBe(202);
    const late = await gateway.buy(sale.id, uniqueName('late'));
    expect(late.statusCode).toBe(410);
    expect(late.json().error.code).toBe('SOLD_OUT');
  });

  it('answers 429 QUEUE_FULL with Retry-After when the queue is at capacity', async () => {
    const sale = await gateway.createSale({ stock: 5, queueCapacity: 2 });
    expect((await gateway.buy(sale.id, uniqueName('q1'))).statusCode).toBe(202);
    expect((await gateway.buy(sale.id, uniqueName('q2'))).statusCode).toBe(202);
    const third = await gateway.buy(sale.id, uniqueName('q3'));
    expect(third.statusCode).toBe(429);
    expect(third.json().error.code).toBe('QUEUE_FULL');
    expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await gateway.app.redis.get(redisKeys.stockTokens(sale.id))).toBe('3');
  });

  it('answers 404 SALE_NOT_FOUND for an unknown sale', async () => {
    const response = await gateway.buy(randomUUID(), uniqueName('lost'));
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('SALE_NOT_FOUND');
  });

  it.each([
    ['no token', undefined, /Missing bearer token/],
    ['a garbage token', 'Bearer abc.def.ghi', /Invalid or expired/],
    ['a token signed with another secret', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl', /Invalid or expired/],
  ])('answers 401 UNAUTHORIZED for %s', async (_name, authorization, message) => {
    const sale = await gateway.createSale();
    const response = await gateway.app.inject({
      method: 'POST',
      url: `/api/sales/${sale.id}/orders`,
      headers: authorization ? { authorization } : {},
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toEqual({ code: 'UNAUTHORIZED', message: expect.stringMatching(message) });
  });

  it('answers 400 INVALID_INPUT for an oversized Idempotency-Key', async () => {
    const sale = await gateway.createSale();
    const response = await gateway.buy(sale.id, uniqueName('key'), { 'idempotency-key': 'k'.repeat(300) });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('INVALID_INPUT');
  });

  it('answers the browser page of another local port (CORS)', async () => {
    const response = await gateway.app.inject({
      method: 'OPTIONS',
      url: '/api/sales/x/orders',
      headers: { origin: 'http://localhost:8080', 'access-control-request-method': 'POST' },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('http://localhost:8080');
  });
});

describe('rate limits', () => {
  const gateway = gatewayForSuite({ RATE_LIMIT_PER_USER_PER_MIN: '2', RATE_LIMIT_PER_IP_PER_MIN: '0' });

  it('answers 429 RATE_LIMITED with Retry-After once a user exceeds the limit, other users unaffected', async () => {
    const sale = await gateway.createSale();
    const userId = uniqueName('greedy');
    const headers = { authorization: `Bearer ${gateway.userToken(userId)}` };
    const url = `/api/sales/${sale.id}/orders`;
    // Buy and give back, twice: a holder's repeats are never limited, a new attempt is.
    for (let attempt = 0; attempt < 2; attempt++) {
      const bought = await gateway.app.inject({ method: 'POST', url, headers });
      expect(bought.statusCode).toBe(202);
      await gateway.app.inject({ method: 'DELETE', url: `/api/tickets/${bought.json().ticketId}`, headers });
    }
    const limited = await gateway.app.inject({ method: 'POST', url, headers });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    const other = await gateway.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${gateway.userToken(uniqueName('calm'))}` },
    });
    expect(other.statusCode).toBe(202);
  });

  it('limits per IP address too', async () => {
    const limitedByIp = await startGateway({ RATE_LIMIT_PER_USER_PER_MIN: '0', RATE_LIMIT_PER_IP_PER_MIN: '1' });
    try {
      const sale = await limitedByIp.createSale();
      const url = `/api/sales/${sale.id}/orders`;
      const remoteAddress = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.7`;
      const as = (userId: string) => ({ authorization: `Bearer ${limitedByIp.userToken(userId)}` });
      expect((await limitedByIp.app.inject({ method: 'POST', url, headers: as(uniqueName('a')), remoteAddress })).statusCode).toBe(202);
      const second = await limitedByIp.app.inject({ method: 'POST', url, headers: as(uniqueName('b')), remoteAddress });
      expect(second.statusCode).toBe(429);
      expect(second.json().error.code).toBe('RATE_LIMITED');
    } finally {
      await limitedByIp.close();
    }
  });
});
