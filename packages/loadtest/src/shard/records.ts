import type { ShopperRecord } from '../crowd-shard';
import type { Shopper } from '../shoppers';
import { errorCode } from './responses';

/** Polls every accepted ticket, through its owner's SDK, at most this many at a time. */
const POLL_CONCURRENCY = 32;

/** What the coordinator gets of each shopper: what they did and saw, and the polling view of their tickets. */
export async function shopperRecords(shoppers: Shopper[], connectedAtEnd: Map<string, boolean>): Promise<ShopperRecord[]> {
  const polled = new Map<Shopper, ShopperRecord['polled']>();
  const jobs = shoppers.flatMap((shopper) => [...shopper.tickets.keys()].map((ticketId) => ({ shopper, ticketId })));
  await mapLimit(jobs, POLL_CONCURRENCY, async ({ shopper, ticketId }) => {
    const list = polled.get(shopper) ?? [];
    polled.set(shopper, list);
    try {
      const view = await shopper.sessions[0]!.client.getTicket(ticketId);
      list.push({ ticketId, status: view.status, ...(view.orderId ? { orderId: view.orderId } : {}) });
    } catch (error) {
      list.push({ ticketId, error: errorCode(error) ?? String(error) });
    }
  });
  return shoppers.map((shopper) => ({
    userId: shopper.userId,
    behaviour: shopper.behaviour,
    clicks: shopper.clicks,
    tickets: [...shopper.tickets.values()],
    ...(shopper.cancel ? { cancel: shopper.cancel } : {}),
    polled: polled.get(shopper) ?? [],
    sessions: shopper.sessions.map((session) => ({
      sessionId: session.sessionId,
      nodes: session.nodes,
      sockets: session.sockets,
      connectedAtEnd: connectedAtEnd.get(session.sessionId) ?? false,
      foreignReady: session.foreignReady,
      events: session.events,
    })),
  }));
}

async function mapLimit<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}
