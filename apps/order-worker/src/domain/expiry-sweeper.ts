import { type OrderEvent } from '@seckill/contracts';
import { PAYMENT_CLAIM_TIMEOUT_SECONDS, type PrismaClient } from '@seckill/db';
import type { Logger } from '@seckill/platform';
import type { UserEventPublisher } from './user-events';
import type { RedisState } from '@seckill/redis-state';

interface ExpiredOrderRow {
  orderId: string;
  ticketId: string;
  saleId: string;
  userId: string;
}

export interface ExpirySweeperOptions {
  prisma: PrismaClient;
  redisState: Pick<RedisState, 'returnExpiredTokens'>;
  userEvents: UserEventPublisher;
  logger: Logger;
  /** Most orders expired per transaction. */
  batchSize?: number;
  clock?: () => number;
  onExpired?: (count: number) => void;
}

/**
 * Turns PENDING_PAYMENT orders past `expires_at` into EXPIRED and gives their stock back,
 * to PostgreSQL and to the Redis tokens, so another shopper can buy. Safe with several
 * workers: `FOR UPDATE SKIP LOCKED` hands each order to one sweeper, and the status
 * condition loses cleanly to a concurrent payment.
 */
export function createExpirySweeper(options: ExpirySweeperOptions) {
  const { prisma, redisState, userEvents, logger } = options;
  const batchSize = options.batchSize ?? 500;
  const clock = options.clock ?? Date.now;

  /** One pass; returns how many orders it expired (call again while it returns `batchSize`). */
  async function sweepOnce(): Promise<number> {
    const expired = await prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<ExpiredOrderRow[]>`
        WITH expired AS (
          UPDATE orders SET status = 'EXPIRED', updated_at = now()
          WHERE id IN (
            SELECT id FROM orders
            WHERE status = 'PENDING_PAYMENT' AND expires_at <= now()
              -- A payment in progress (claimed, the provider being charged) is left to finish.
              AND (payment_started_at IS NULL OR payment_started_at < now() - make_interval(secs => ${PAYMENT_CLAIM_TIMEOUT_SECONDS}))
            ORDER BY expires_at
            LIMIT ${batchSize}
            FOR UPDATE SKIP LOCKED)
          RETURNING id, ticket_id, sale_id, user_id
        ), returned AS (
          UPDATE sales SET stock = sales.stock + e.n, updated_at = now()
          FROM (SELECT sale_id, count(*)::int AS n FROM expired GROUP BY sale_id) AS e
          WHERE sales.id = e.sale_id
        )
        SELECT id::text AS "orderId", ticket_id AS "ticketId", sale_id::text AS "saleId", user_id AS "userId" FROM expired`;
      // Tokens go back BEFORE the commit: a crash in between leaves Redis with more tokens than
      // PostgreSQL has stock (admitted extras then fail SOLD_OUT), never the reverse (unsellable stock).
      await returnTokens(rows);
      return rows;
    });
    if (expired.length === 0) return 0;

    const at = clock();
    await userEvents.publish(
      expired.map((order) => {
        const event: OrderEvent = {
          type: 'order',
          orderId: order.orderId,
          ticketId: order.ticketId,
          saleId: order.saleId,
          status: 'EXPIRED',
          at,
        };
        return { userId: order.userId, event };
      }),
    );
    options.onExpired?.(expired.length);
    logger.info({ expired: expired.length }, 'expired unpaid orders; stock returned');
    return expired.length;
  }

  async function returnTokens(rows: readonly ExpiredOrderRow[]): Promise<void> {
    const bySale = new Map<string, string[]>();
    for (const row of rows) {
      const orderIds = bySale.get(row.saleId);
      if (orderIds) orderIds.push(row.orderId);
      else bySale.set(row.saleId, [row.orderId]);
    }
    await Promise.all([...bySale].map(([saleId, orderIds]) => redisState.returnExpiredTokens(saleId, orderIds)));
  }

  return {
    sweepOnce,
    /** Sweep until nothing is left past its window. */
    async sweep(): Promise<number> {
      let total = 0;
      for (;;) {
        const count = await sweepOnce();
        total += count;
        if (count < batchSize) return total;
      }
    },
  };
}
export type ExpirySweeper = ReturnType<typeof createExpirySweeper>;

/** Run `sweep` every `intervalMs` (never overlapping itself) until `stop()`. */
export function scheduleSweeps(options: { sweeper: ExpirySweeper; intervalMs: number; logger: Logger }) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const loop = () => {
    running = options.sweeper
      .sweep()
      .catch((err: unknown) => options.logger.error({ err }, 'expiry sweep failed; retrying next interval'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, options.intervalMs);
      });
  };
  timer = setTimeout(loop, options.intervalMs);
  return {
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
