import type { FetchLike } from '@seckill/client';
import type { ShardInit, ShopperSpec } from '../crowd-shard';
import { isReady, openSession, type Shopper } from '../shoppers';
import { waitUntil } from '../wait';

/** Sessions opened at once before waiting for them to be ready. */
const CONNECT_BATCH = 500;

/** Opens every shopper's sessions (two for a second tab), batch by batch, and tells how many sessions each push node holds. */
export async function connectSessions(options: {
  init: ShardInit;
  shoppers: Shopper[];
  specs: Map<string, ShopperSpec>;
  fetchFor(shopper: Shopper): FetchLike;
}): Promise<Record<string, number>> {
  const { init, shoppers } = options;
  let sessionIndex = 0;
  for (let i = 0; i < shoppers.length; i += CONNECT_BATCH) {
    const batch = shoppers.slice(i, i + CONNECT_BATCH);
    for (const shopper of batch) {
      const spec = options.specs.get(shopper.userId)!;
      const tabs = shopper.behaviour.secondTab ? 2 : 1;
      for (let tab = 0; tab < tabs; tab++) {
        shopper.sessions.push(
          openSession({
            sessionId: `${shopper.userId}/${tab + 1}`,
            userId: shopper.userId,
            token: shopper.token,
            gatewayUrl: shopper.homeGatewayUrl,
            pushUrls: init.pushUrls,
            firstNode: spec.firstNode + tab,
            localAddress: init.localAddresses[sessionIndex++ % init.localAddresses.length],
            fetch: options.fetchFor(shopper),
          }),
        );
      }
    }
    await waitUntil(
      () => batch.every((shopper) => shopper.sessions.every(isReady)),
      60_000,
      () => {
        const notReady = batch.flatMap((s) => s.sessions).filter((s) => !isReady(s));
        return `shard ${init.shard}: ${notReady.length} session(s) not ready, e.g. ${notReady[0]?.sessionId} ${JSON.stringify(notReady[0]?.client.connection)}`;
      },
    );
  }
  const sessionsPerNode: Record<string, number> = {};
  for (const session of shoppers.flatMap((shopper) => shopper.sessions)) {
    const node = session.nodes.at(-1) ?? 'none';
    sessionsPerNode[node] = (sessionsPerNode[node] ?? 0) + 1;
  }
  return sessionsPerNode;
}

/** Counts the connected sessions still missing the final state of a ticket their shopper's SDK settled. */
export function undeliveredCounter(shoppers: Shopper[]): () => number {
  const settled = shoppers.flatMap((shopper) =>
    [...shopper.tickets.values()].filter((t) => t.result).map((ticket) => ({ shopper, ticket })),
  );
  return () =>
    settled.reduce(
      (n, { shopper, ticket }) =>
        n +
        shopper.sessions.filter(
          (session) => isReady(session) && !session.events.some((e) => e.ticketId === ticket.ticketId && e.status !== 'QUEUED'),
        ).length,
      0,
    );
}
