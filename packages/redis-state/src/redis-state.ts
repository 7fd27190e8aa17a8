import type { RedisClient } from './redis-client';
import { createActivityState } from './activity';
import { createAdmissionState } from './admission';
import { redisKeys } from './keys';
import { createOutboxState } from './outbox';
import { createPrequeueState } from './prequeue';
import { createSaleAdminState } from './sale-admin';
import { createSaleState } from './sales';
import { redisScripts } from './scripts';
import { createTicketState } from './tickets';

/** How long a ticket's final state stays readable for polling and push snapshots. */
export const TICKET_RESULT_TTL_SECONDS = 7 * 24 * 3600;
/** How long an expired order's token-returned marker lives (longer than any sweep retry). */
const STOCK_RETURNED_MARKER_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Seckill's state in Redis, as named operations: sales, admission, tickets, the outbox between
 * admission and Kafka, expired orders' stock. Every app reads and writes Redis through this.
 */
export function createRedisState(options: { redis: RedisClient; resultTtlSeconds?: number }) {
  const { redis } = options;
  const ttl = options.resultTtlSeconds ?? TICKET_RESULT_TTL_SECONDS;
  const scripts = redisScripts(redis);
  return {
    ...createSaleState(redis, scripts, ttl),
    ...createAdmissionState(scripts, ttl),
    ...createTicketState(redis, scripts, ttl),
    ...createOutboxState(redis, scripts, ttl),
    ...createPrequeueState(scripts),
    ...createSaleAdminState(scripts),
    ...createActivityState(redis),

    /** Give expired orders' stock tokens back, once per order; how many went back. */
    async returnExpiredTokens(saleId: string, orderIds: readonly string[]): Promise<number> {
      if (orderIds.length === 0) return 0;
      const markers = orderIds.map((orderId) => redisKeys.stockReturned(saleId, orderId));
      return (await scripts.returnExpiredTokens(
        [redisKeys.stockTokens(saleId), ...markers],
        [STOCK_RETURNED_MARKER_TTL_SECONDS],
      )) as number;
    },
  };
}
export type RedisState = ReturnType<typeof createRedisState>;
