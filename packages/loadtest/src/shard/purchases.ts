import { SeckillApiError, type FetchLike, type Purchase } from '@seckill/client';
import type { Answer, ShardInit, Tag } from '../crowd-shard';
import type { HttpPool } from '../http-pool';
import { pressUntilAnswered, type PressOutcome } from '../press-again';
import type { HeldTicket, Shopper } from '../shoppers';
import { errorCode, serverTiming } from './responses';

export interface Purchases {
  /** The fetch a shopper's SDK clients use. */
  fetchFor(shopper: Shopper): FetchLike;
  /** A purchase through the shopper's SDK (`wave` -1 is the click before the sale opens). */
  buy(shopper: Shopper, saleId: string, wave: number): Promise<Answer[]>;
  /** A request outside the SDK (broken body, unknown sale, bad token), to the gateway the shopper is sent to. */
  rawPost(shopper: Shopper, kind: Tag, path: string, headers: Record<string, string>, body?: string): Promise<Answer[]>;
  /** The hello-world baseline: the same request path on a server that does nothing. */
  hello(url: string, token: string): Promise<Answer>;
}

/**
 * The shard's requests: purchases go through `pool`, pressed again on the next gateway after no
 * answer or a 503, and every press is recorded on the shopper; follow-ups (cancel, polls) use
 * `followUps`.
 */
export function createPurchases({ init, pool, followUps }: { init: ShardInit; pool: HttpPool; followUps: HttpPool }): Purchases {
  let requests = 0;

  /** The SDK's requests go wherever the shopper is sent now (their home gateway until they press again elsewhere). */
  function fetchFor(shopper: Shopper): FetchLike {
    return async (url, request) => {
      const routed = shopper.gatewayUrl + url.slice(shopper.homeGatewayUrl.length);
      if (request?.method !== 'POST') return followUps.fetch(routed, request);
      const response = await pool.fetch(routed, request);
      shopper.lastServerMs = serverTiming(response.headers.get('server-timing'));
      return response;
    };
  }

  /** Follow a ticket handed to the shopper until the SDK settles its final state. */
  function hold(shopper: Shopper, ticketId: string, wave: number, clickedAt: number, result: Purchase['result']): void {
    if (shopper.tickets.has(ticketId)) return;
    const held: HeldTicket = { ticketId, wave, issuedAt: Date.now(), clickedAt };
    shopper.tickets.set(ticketId, held);
    result.then(
      (update) =>
        void (held.result = {
          status: update.status,
          ...(update.reason ? { reason: update.reason } : {}),
          via: update.via,
          at: Date.now(),
        }),
      (error: unknown) => void (held.result = { status: `ERROR ${errorCode(error) ?? ''}`.trim(), via: 'error', at: Date.now() }),
    );
  }

  /** One purchase request of `shopper`, pressed again (next gateway) after no answer or a 503; every press is recorded. */
  async function press(
    shopper: Shopper,
    kind: Tag,
    wave: number,
    send: () => Promise<PressOutcome & { ticketId?: string }>,
  ): Promise<Answer[]> {
    const requestId = `${shopper.userId}#${++requests}`;
    const presses = await pressUntilAnswered(
      async (gatewayUrl, attempt) => {
        shopper.gatewayUrl = gatewayUrl;
        const startedAt = Date.now();
        const outcome = await send().catch((error: unknown) => ({
          startedAt,
          answeredAt: Date.now(),
          status: 0,
          code: errorCode(error) ?? 'ERROR',
        }));
        shopper.clicks.push({ requestId, kind, wave, attempt, gatewayUrl, ...outcome });
        return outcome;
      },
      { gatewayUrls: init.gatewayUrls, firstGateway: Math.max(0, init.gatewayUrls.indexOf(shopper.gatewayUrl)), policy: init.pressAgain },
    );
    return presses.map(({ startedAt, answeredAt, status, code }) => ({
      tag: kind,
      startedAt,
      answeredAt,
      status,
      ...(code ? { code } : {}),
    }));
  }

  const buy = (shopper: Shopper, saleId: string, wave: number) =>
    press(shopper, wave < 0 ? 'early' : 'buy', wave, async () => {
      const startedAt = Date.now();
      shopper.lastServerMs = undefined;
      const timed = () => (shopper.lastServerMs === undefined ? {} : { serverMs: shopper.lastServerMs });
      try {
        const purchase = await shopper.sessions[0]!.client.buy(saleId);
        const ticketId = purchase.ticket.ticketId;
        hold(shopper, ticketId, wave, startedAt, purchase.result);
        // 200 carries the ticket when it is already final; 202 a QUEUED receipt.
        return { startedAt, answeredAt: Date.now(), status: purchase.ticket.status === 'QUEUED' ? 202 : 200, ticketId, ...timed() };
      } catch (error) {
        const code = errorCode(error);
        return {
          startedAt,
          answeredAt: Date.now(),
          status: error instanceof SeckillApiError ? error.status : 0,
          ...(code ? { code } : {}),
          ...timed(),
        };
      }
    });

  const rawPost = (shopper: Shopper, kind: Tag, path: string, headers: Record<string, string>, body?: string) =>
    press(shopper, kind, 0, async () => {
      const startedAt = Date.now();
      const response = await pool.fetch(`${shopper.gatewayUrl}${path}`, {
        method: 'POST',
        headers,
        ...(body !== undefined ? { body } : {}),
      });
      const text = await response.text();
      let code: string | undefined;
      try {
        code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
      } catch {
        code = undefined;
      }
      const serverMs = serverTiming(response.headers.get('server-timing'));
      return {
        startedAt,
        answeredAt: Date.now(),
        status: response.status,
        ...(code ? { code } : {}),
        ...(serverMs === undefined ? {} : { serverMs }),
      };
    });

  async function hello(url: string, token: string): Promise<Answer> {
    const startedAt = Date.now();
    const response = await pool.fetch(`${url}/api/sales/hello/orders`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    await response.text();
    return { tag: 'hello', startedAt, answeredAt: Date.now(), status: response.status };
  }

  return { fetchFor, buy, rawPost, hello };
}
