/**
 * Every Redis key of Seckill. Each key of one sale shares the `{sale:<id>}` hash tag, so a
 * script over one sale touches one slot and runs unchanged on Redis Cluster; the few keys that
 * span sales (a user's ticket index, the active sales, worker throughput) are only ever used by
 * plain single-key commands.
 */
export const redisKeys = {
  saleTag: (saleId: string) => `{sale:${saleId}}`,
  /**
   * Hash: id, name, initialStock, queueCapacity, startsAtMs, endsAtMs, epoch, challengeDifficulty,
   * prequeueOpensAtMs? (a lottery sale), recoveringSinceMs? (after a loss).
   */
  saleInfo: (saleId: string) => `{sale:${saleId}}:info`,
  /** Counter: stock tokens left for admission. */
  stockTokens: (saleId: string) => `{sale:${saleId}}:stock`,
  /** Counter: the last ticket number handed out. */
  ticketSequence: (saleId: string) => `{sale:${saleId}}:seq`,
  /** Sorted set: queued tickets by number (positions). */
  queuedTickets: (saleId: string) => `{sale:${saleId}}:queue`,
  /** Hash: user id -> the ticket they hold in this sale. */
  ticketsByUser: (saleId: string) => `{sale:${saleId}}:users`,
  /** Sorted set: admitted tickets whose Kafka message is not acknowledged yet, by when they are due for a (re)send. */
  outbox: (saleId: string) => `{sale:${saleId}}:outbox`,
  /** Hash: stock epoch -> orders recorded while the sale was not loaded (load-sale.lua takes them off its count). */
  uncountedOrders: (saleId: string) => `{sale:${saleId}}:uncounted`,
  /** String: the epoch of the reload restoring the sale after a loss (fences off concurrent reloads). */
  loading: (saleId: string) => `{sale:${saleId}}:loading`,
  /** Sorted set: the lottery's pre-queue, user id scored by a random rank drawn when they joined (the draw issues tickets in rank order). */
  prequeue: (saleId: string) => `{sale:${saleId}}:prequeue`,
  /** String: when the pre-queue was drawn (set once, by draw-prequeue.lua). */
  prequeueDrawn: (saleId: string) => `{sale:${saleId}}:drawn`,
  /** Marker `<prefix><nonce>` that a purchase challenge was used (until it expires). */
  usedChallengePrefix: (saleId: string) => `{sale:${saleId}}:challenge:`,
  /** Counters `<prefix>user:<id>` and `<prefix>ip:<address>`: purchase attempts in the current rate window (admit-ticket.lua). */
  purchaseRatePrefix: (saleId: string) => `{sale:${saleId}}:rate:`,
  /** Hash: one ticket (see ticket-record.ts). */
  ticket: (saleId: string, ticketId: string) => `{sale:${saleId}}:ticket:${ticketId}`,
  /** Marker that one expired order's token went back. */
  stockReturned: (saleId: string, orderId: string) => `{sale:${saleId}}:returned:${orderId}`,
  /** Hash: what happened to the sale in one second (epoch s): field -> count (activity.ts). */
  saleActivity: (saleId: string, second: number) => `{sale:${saleId}}:activity:${second}`,
  /** Hash: what happened to the sale in total: field -> count. */
  saleActivityTotals: (saleId: string) => `{sale:${saleId}}:activity`,
  /** Set: a user's tickets across sales, for the push snapshot on reconnect. */
  userTickets: (userId: string) => `user:${userId}:tickets`,
  /** Set: sales whose outbox the gateways sweep (loaded, not yet ended and drained). */
  activeSales: () => 'sales:active',
  /** Hash: push node id -> `<sessions>:<updatedAt ms>` (the admin statistics). */
  pushNodes: () => 'push:nodes',
  /** Hash: worker id -> `<orders per second>:<updatedAt ms>`, read by the gateway's wait estimate. */
  workerThroughput: () => 'workers:throughput',
};

/** The keys of the scripts that issue tickets (admit-ticket.lua, draw-prequeue.lua), in their order. */
export function ticketIssuingKeys(saleId: string): string[] {
  return [
    redisKeys.saleInfo(saleId),
    redisKeys.stockTokens(saleId),
    redisKeys.ticketSequence(saleId),
    redisKeys.queuedTickets(saleId),
    redisKeys.ticketsByUser(saleId),
    redisKeys.outbox(saleId),
    redisKeys.prequeue(saleId),
    redisKeys.prequeueDrawn(saleId),
  ];
}
