/** Kafka topic carrying every admitted purchase. */
export const ORDERS_TOPIC = 'seckill.orders';
/** Messages the worker cannot process (unparseable, unknown sale), with the reason. */
export const ORDERS_DEAD_LETTER_TOPIC = 'seckill.orders.dlq';
/** Consumer group shared by every order-worker process. */
export const ORDER_WORKER_GROUP = 'seckill.order-worker';

/**
 * User ids travel in NATS subjects and Redis keys, so they are restricted to a
 * token-safe alphabet (no dots, wildcards or whitespace).
 */
export const USER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Per-user NATS subject: a push node subscribes only for the users it holds. */
export function userTicketSubject(userId: string, prefix = 'seckill'): string {
  return `${prefix}.users.${userId}.tickets`;
}

/**
 * Redis keys. Every key of one sale shares the `{sale:<id>}` hash tag so the
 * admission script touches one slot and runs unchanged on Redis Cluster.
 */
export const redisKeys = {
  saleTag: (saleId: string) => `{sale:${saleId}}`,
  saleInfo: (saleId: string) => `{sale:${saleId}}:info`,
  stockTokens: (saleId: string) => `{sale:${saleId}}:stock`,
  ticketSequence: (saleId: string) => `{sale:${saleId}}:seq`,
  queuedTickets: (saleId: string) => `{sale:${saleId}}:queue`,
  ticketsByUser: (saleId: string) => `{sale:${saleId}}:users`,
  ticket: (saleId: string, ticketId: string) => `{sale:${saleId}}:ticket:${ticketId}`,
  /** Index of a user's tickets across sales, for the push snapshot on reconnect. */
  userTickets: (userId: string) => `user:${userId}:tickets`,
  /** Hash: worker id -> `<orders per second>:<updatedAt ms>`, read by the gateway's wait estimate. */
  workerThroughput: () => 'workers:throughput',
};

/**
 * Kafka message key of an order. Keyed by user: one hot sale spreads over every
 * partition (and so every worker); per-user order is all that must be kept.
 */
export function orderMessageKey(order: { saleId: string; userId: string }): string {
  return order.userId;
}

/**
 * A ticket id names its sale and its number, so the ticket's Redis key can be
 * found from the id alone (no cross-slot lookup): `<saleId>.<number>`.
 */
export function formatTicketId(saleId: string, ticketNumber: number): string {
  return `${saleId}.${ticketNumber}`;
}

export function parseTicketId(ticketId: string): { saleId: string; ticketNumber: number } | undefined {
  const dot = ticketId.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const saleId = ticketId.slice(0, dot);
  const ticketNumber = Number(ticketId.slice(dot + 1));
  if (!Number.isSafeInteger(ticketNumber) || ticketNumber < 1) return undefined;
  return { saleId, ticketNumber };
}
