import { createGatewayApi } from './api';
import { SeckillApiError } from './errors';
import { exampleSale as sale, exampleSaleId as saleId } from './testing/examples';
import { createFakeFetch, type FakeReply } from './testing/fakes';

const receipt = { ticketId: `${saleId}.1.42`, ticketNumber: 42, saleId, status: 'QUEUED', position: 17, estimatedWaitMs: 3_000 };

function apiAnswering(reply: FakeReply | (() => FakeReply), token: string | (() => string) = 'jwt-1') {
  const fetch = createFakeFetch(() => (typeof reply === 'function' ? reply() : reply));
  const api = createGatewayApi({
    gatewayUrl: 'http://gateway.test/',
    fetch,
    getToken: async () => (typeof token === 'function' ? token() : token),
  });
  return { api, fetch };
}

async function failure(promise: Promise<unknown>): Promise<SeckillApiError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SeckillApiError);
  return error as SeckillApiError;
}

describe('gateway API calls', () => {
  it('buys with the bearer token and the idempotency key, and returns the receipt', async () => {
    const { api, fetch } = apiAnswering({ status: 202, body: receipt });
    await expect(api.buy(saleId, 'key-1')).resolves.toEqual(receipt);
    expect(fetch.requests[0]).toMatchObject({
      method: 'POST',
      url: `http://gateway.test/api/sales/${saleId}/orders`,
      headers: { authorization: 'Bearer jwt-1', 'idempotency-key': 'key-1' },
    });
  });

  it('asks the token function again on every request, so a refreshed token is used', async () => {
    let version = 0;
    const { api, fetch } = apiAnswering({ status: 200, body: { ...receipt, status: 'QUEUED' } }, () => `jwt-${++version}`);
    await api.getTicket(receipt.ticketId);
    await api.getTicket(receipt.ticketId);
    expect(fetch.requests.map((request) => request.headers.authorization)).toEqual(['Bearer jwt-1', 'Bearer jwt-2']);
  });

  it('reads a sale without a token', async () => {
    const { api, fetch } = apiAnswering({ status: 200, body: sale });
    await expect(api.getSale(saleId)).resolves.toEqual(sale);
    expect(fetch.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('accepts an empty answer to a cancel', async () => {
    const { api, fetch } = apiAnswering({ status: 204 });
    await expect(api.cancel(receipt.ticketId)).resolves.toBeUndefined();
    expect(fetch.requests[0]).toMatchObject({ method: 'DELETE', url: `http://gateway.test/api/tickets/${receipt.ticketId}` });
  });
});

describe('error mapping', () => {
  it('turns the error body into a typed error with its code and status', async () => {
    const { api } = apiAnswering({ status: 410, body: { error: { code: 'SOLD_OUT', message: 'Sold out' } } });
    const error = await failure(api.buy(saleId, 'k'));
    expect(error).toMatchObject({ code: 'SOLD_OUT', status: 410, message: 'Sold out', retriable: false });
    expect(error.retryAfterMs).toBeUndefined();
  });

  it('reads Retry-After seconds on a full queue', async () => {
    const { api } = apiAnswering({
      status: 429,
      body: { error: { code: 'QUEUE_FULL', message: 'The queue is full' } },
      headers: { 'Retry-After': '3' },
    });
    await expect(failure(api.buy(saleId, 'k'))).resolves.toMatchObject({
      code: 'QUEUE_FULL',
      status: 429,
      retryAfterMs: 3_000,
      retriable: true,
    });
  });

  it('reads Retry-After given as an HTTP date', async () => {
    const inFiveSeconds = new Date(Date.now() + 5_000).toUTCString();
    const { api } = apiAnswering({
      status: 429,
      body: { error: { code: 'RATE_LIMITED', message: 'slow down' } },
      headers: { 'retry-after': inFiveSeconds },
    });
    const error = await failure(api.buy(saleId, 'k'));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfterMs).toBeGreaterThan(3_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(5_000);
  });

  it('distinguishes a sale not active from a forbidden ticket', async () => {
    const { api } = apiAnswering({ status: 403, body: { error: { code: 'SALE_NOT_ACTIVE', message: 'not started' } } });
    await expect(failure(api.buy(saleId, 'k'))).resolves.toMatchObject({ code: 'SALE_NOT_ACTIVE', retriable: true });
  });

  it('derives the code from the status when the body is not ours (a proxy error page)', async () => {
    const { api } = apiAnswering({ status: 502, body: '<html>Bad Gateway</html>' });
    await expect(failure(api.getTicket(receipt.ticketId))).resolves.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      status: 502,
      retriable: true,
    });
  });

  it('reports a network failure as retriable with status 0', async () => {
    const { api } = apiAnswering(() => {
      throw new TypeError('fetch failed');
    });
    await expect(failure(api.getTicket(receipt.ticketId))).resolves.toMatchObject({ code: 'NETWORK_ERROR', status: 0, retriable: true });
  });

  it('rejects a success whose body does not match the contract', async () => {
    const { api } = apiAnswering({ status: 202, body: { ticketId: 'x' } });
    await expect(failure(api.buy(saleId, 'k'))).resolves.toMatchObject({ code: 'BAD_RESPONSE', status: 202 });
  });
});

describe('a repeated purchase', () => {
  it('returns the already-final ticket the gateway answers with 200', async () => {
    const final = { ticketId: receipt.ticketId, ticketNumber: 42, saleId, status: 'SUCCEEDED' };
    const { api } = apiAnswering({ status: 200, body: final });
    await expect(api.buy(saleId, 'k')).resolves.toEqual(final);
  });
});
