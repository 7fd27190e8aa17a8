import { formatTicketId } from '@seckill/contracts';
import type { PrismaClient } from '@seckill/db';
import type { RedisClient } from '@seckill/platform';
import type { StoredState } from './invariants';
import { redisKeys } from '@seckill/redis-state';

export interface Snapshot extends StoredState {
  /** Epoch ms of the last order row's creation (time to sell out). */
  lastOrderCreatedAt: number | undefined;
  /** Tickets numbered by the gateway (its sequence). */
  ticketsNumbered: number;
}

/** A number from a Redis key whatever its type (string counter, list, set, sorted set); undefined if missing. */
export async function countKey(redis: RedisClient, key: string): Promise<number | undefined> {
  const type = await redis.type(key);
  if (type === 'string') return Number(await redis.get(key));
  if (type === 'list') return redis.llen(key);
  if (type === 'set') return redis.scard(key);
  if (type === 'zset') return redis.zcard(key);
  if (type === 'hash') return redis.hlen(key);
  return undefined;
}

/**
 * Read the sale's truth straight from PostgreSQL and Redis: the sale row, every
 * order row, the stock tokens, the queue, and every ticket the gateway numbered
 * (plus any ticket a shopper was given, in case the sequence is off), from its Redis
 * hash or, when Redis lost it, from PostgreSQL (an order row or a closed ticket).
 */
export async function readSnapshot(options: {
  prisma: PrismaClient;
  redis: RedisClient;
  saleId: string;
  knownTicketIds: Iterable<string>;
}): Promise<Snapshot> {
  const { prisma, redis, saleId } = options;
  const [sale, orders] = await Promise.all([
    prisma.sale.findUnique({ where: { id: saleId }, select: { id: true, initialStock: true, stock: true, startsAt: true } }),
    prisma.order.findMany({ where: { saleId }, select: { id: true, userId: true, ticketId: true, status: true, createdAt: true } }),
  ]);
  const [redisStockTokens, redisQueueDepth, sequence] = await Promise.all([
    countKey(redis, redisKeys.stockTokens(saleId)),
    countKey(redis, redisKeys.queuedTickets(saleId)),
    countKey(redis, redisKeys.ticketSequence(saleId)),
  ]);
  // Numbers of the current ticket epoch; tickets of earlier epochs (before a Redis loss) are known from the shoppers and the orders.
  const epoch = Number((await redis.hget(redisKeys.saleInfo(saleId), 'epoch')) ?? 1);
  const ticketIds = new Set(options.knownTicketIds);
  for (let n = 1; n <= (sequence ?? 0); n++) ticketIds.add(formatTicketId(saleId, n, epoch));
  for (const order of orders) ticketIds.add(order.ticketId);

  const storedTickets: StoredState['storedTickets'] = new Map();
  const orderByTicket = new Map(orders.map((order) => [order.ticketId, order]));
  const ids = [...ticketIds];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const hashes = await Promise.all(chunk.map((ticketId) => redis.hgetall(redisKeys.ticket(saleId, ticketId))));
    chunk.forEach((ticketId, j) => {
      const hash = hashes[j]!;
      if (!hash.status) return;
      storedTickets.set(ticketId, {
        userId: hash.userId ?? '',
        status: hash.status,
        ...(hash.orderId ? { orderId: hash.orderId } : {}),
        ...(hash.reason ? { reason: hash.reason } : {}),
        ...(Number(hash.admittedAt) > 0 ? { admittedAt: Number(hash.admittedAt) } : {}),
        ...(Number(hash.updatedAt) > 0 ? { updatedAt: Number(hash.updatedAt) } : {}),
      });
    });
  }

  // PostgreSQL is the truth of what Redis lost (a restart): an order, or a closed ticket.
  const lost = ids.filter((ticketId) => !storedTickets.has(ticketId));
  const closed = lost.length ? await prisma.closedTicket.findMany({ where: { saleId, ticketId: { in: lost } } }) : [];
  const closedByTicket = new Map(closed.map((ticket) => [ticket.ticketId, ticket]));
  for (const ticketId of lost) {
    const order = orderByTicket.get(ticketId);
    const closedTicket = closedByTicket.get(ticketId);
    if (order)
      storedTickets.set(ticketId, {
        userId: order.userId,
        status: 'SUCCEEDED',
        orderId: order.id,
        updatedAt: order.createdAt.getTime(),
        storedIn: 'postgres',
      });
    else if (closedTicket) {
      storedTickets.set(ticketId, {
        userId: closedTicket.userId,
        status: closedTicket.status,
        ...(closedTicket.reason ? { reason: closedTicket.reason } : {}),
        updatedAt: closedTicket.closedAt.getTime(),
        storedIn: 'postgres',
      });
    }
  }

  return {
    sale: sale ? { id: sale.id, initialStock: sale.initialStock, stock: sale.stock, startsAtMs: sale.startsAt.getTime() } : undefined,
    orders: orders.map(({ createdAt: _createdAt, ...order }) => ({ ...order, status: String(order.status) })),
    redisStockTokens,
    redisQueueDepth: redisQueueDepth ?? 0,
    storedTickets,
    lastOrderCreatedAt: orders.length ? Math.max(...orders.map((order) => order.createdAt.getTime())) : undefined,
    ticketsNumbered: sequence ?? 0,
  };
}
