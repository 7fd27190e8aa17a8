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
 * Kafka message key of an order. Keyed by user: one hot sale spreads over every
 * partition (and so every worker); per-user order is all that must be kept.
 */
export function orderMessageKey(order: { saleId: string; userId: string }): string {
  return order.userId;
}

/**
 * A ticket id names its sale, the sale's ticket epoch and its number, so the ticket's Redis key
 * can be found from the id alone (no cross-slot lookup): `<saleId>.<epoch>.<number>`. The epoch
 * grows each time the sale is reloaded into Redis after a loss, so a number issued again never
 * names a ticket still in flight. (The admission script builds the same format.)
 */
export function formatTicketId(saleId: string, ticketNumber: number, epoch = 1): string {
  return `${saleId}.${epoch}.${ticketNumber}`;
}

export function parseTicketId(ticketId: string): { saleId: string; epoch: number; ticketNumber: number } | undefined {
  const parts = ticketId.split('.');
  if (parts.length !== 3 || !parts[0]) return undefined;
  const [saleId, epoch, ticketNumber] = [parts[0], Number(parts[1]), Number(parts[2])];
  if (![epoch, ticketNumber].every((n) => Number.isSafeInteger(n) && n >= 1)) return undefined;
  return { saleId, epoch, ticketNumber };
}
