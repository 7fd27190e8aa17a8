import {
  CHALLENGE_HEADER,
  CHALLENGE_SOLUTION_HEADER,
  type OrderView,
  type PrequeueReceipt,
  type PurchaseChallenge,
  type SaleView,
  type TicketReceipt,
  type TicketView,
} from '@seckill/contracts';
import { asOrderView, asPrequeueReceipt, asPurchaseChallenge, asSaleView, asTicketReceipt, asTicketView, isErrorCode } from './contract';
import { codeForStatus, parseRetryAfter, SeckillApiError } from './errors';
import type { FetchLike, ResponseLike } from './transport';

/** Checks a response body against the contract; undefined when it does not match. */
type BodyGuard<T> = (value: unknown) => T | undefined;

/** A purchase challenge and its solution, sent with a purchase of a sale with bot friction. */
export interface SolvedChallenge {
  challenge: string;
  solution: string;
}

export interface GatewayApi {
  /**
   * `202` with a receipt (a ticket, or a place in a lottery's pre-queue); `200` with the ticket
   * when this user's ticket of the sale is already final.
   */
  buy(saleId: string, idempotencyKey: string, solved?: SolvedChallenge): Promise<TicketReceipt | TicketView | PrequeueReceipt>;
  getChallenge(saleId: string): Promise<PurchaseChallenge>;
  getOrder(orderId: string): Promise<OrderView>;
  pay(orderId: string): Promise<OrderView>;
  getTicket(ticketId: string): Promise<TicketView>;
  cancel(ticketId: string): Promise<TicketView | undefined>;
  getSale(saleId: string): Promise<SaleView>;
}

/** Typed calls to the gateway's public HTTP contract; every failure becomes a `SeckillApiError`. */
export function createGatewayApi(options: { gatewayUrl: string; fetch: FetchLike; getToken: () => Promise<string> }): GatewayApi {
  const base = options.gatewayUrl.replace(/\/+$/, '');

  async function call<T>(
    method: string,
    path: string,
    guard: BodyGuard<T>,
    request: { authenticated: boolean; headers?: Record<string, string> },
  ): Promise<T | undefined> {
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    if (request.authenticated) headers.authorization = `Bearer ${await options.getToken()}`;
    let response: ResponseLike;
    try {
      response = await options.fetch(`${base}${path}`, { method, headers });
    } catch (error) {
      throw new SeckillApiError('NETWORK_ERROR', `${method} ${path} failed: ${describe(error)}`, { cause: error });
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw errorFromResponse(response, text);
    if (text === '') return undefined;
    const body = guard(safeJson(text));
    if (body === undefined) {
      throw new SeckillApiError('BAD_RESPONSE', `${method} ${path}: unexpected response body`, { status: response.status });
    }
    return body;
  }

  async function required<T>(value: Promise<T | undefined>, what: string): Promise<T> {
    const result = await value;
    if (result === undefined) throw new SeckillApiError('BAD_RESPONSE', `${what}: empty response body`);
    return result;
  }

  const purchaseAnswer: BodyGuard<TicketReceipt | TicketView | PrequeueReceipt> = (value) =>
    asTicketReceipt(value) ?? asTicketView(value) ?? asPrequeueReceipt(value);
  const salePath = (saleId: string) => `/api/sales/${encodeURIComponent(saleId)}`;
  const orderPath = (orderId: string) => `/api/orders/${encodeURIComponent(orderId)}`;
  const ticketPath = (ticketId: string) => `/api/tickets/${encodeURIComponent(ticketId)}`;

  return {
    buy: (saleId, idempotencyKey, solved) =>
      required(
        call('POST', `${salePath(saleId)}/orders`, purchaseAnswer, {
          authenticated: true,
          headers: {
            'idempotency-key': idempotencyKey,
            ...(solved ? { [CHALLENGE_HEADER]: solved.challenge, [CHALLENGE_SOLUTION_HEADER]: solved.solution } : {}),
          },
        }),
        'buy',
      ),
    getChallenge: (saleId) =>
      required(call('POST', `${salePath(saleId)}/challenge`, asPurchaseChallenge, { authenticated: true }), 'getChallenge'),
    getOrder: (orderId) => required(call('GET', orderPath(orderId), asOrderView, { authenticated: true }), 'getOrder'),
    pay: (orderId) => required(call('POST', `${orderPath(orderId)}/pay`, asOrderView, { authenticated: true }), 'pay'),
    getTicket: (ticketId) => required(call('GET', ticketPath(ticketId), asTicketView, { authenticated: true }), 'getTicket'),
    cancel: (ticketId) => call('DELETE', ticketPath(ticketId), asTicketView, { authenticated: true }),
    getSale: (saleId) => required(call('GET', salePath(saleId), asSaleView, { authenticated: false }), 'getSale'),
  };
}

function errorFromResponse(response: ResponseLike, text: string): SeckillApiError {
  const body = safeJson(text) as { error?: { code?: unknown; message?: unknown } } | undefined;
  const code = isErrorCode(body?.error?.code) ? body.error.code : codeForStatus(response.status);
  const message = typeof body?.error?.message === 'string' ? body.error.message : `HTTP ${response.status}`;
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  return new SeckillApiError(code, message, {
    status: response.status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
