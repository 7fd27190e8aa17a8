import { redisKeys } from '@seckill/redis-state';
import type { RedisClient } from '@seckill/platform';
import type { Clock } from './clock';

/**
 * Sum of the order rates the workers reported (`<ordersPerSecond>:<updatedAtMs>` per worker),
 * ignoring reports older than `staleAfterMs`; undefined when no worker reported recently.
 */
export function throughputFromReports(reports: Record<string, string>, options: { now: number; staleAfterMs: number }): number | undefined {
  let total = 0;
  let fresh = 0;
  for (const report of Object.values(reports)) {
    const [rateText, updatedAtText] = report.split(':');
    const rate = Number(rateText);
    const updatedAt = Number(updatedAtText);
    if (!Number.isFinite(rate) || rate < 0 || !Number.isFinite(updatedAt)) continue;
    if (options.now - updatedAt > options.staleAfterMs) continue;
    total += rate;
    fresh += 1;
  }
  return fresh > 0 && total > 0 ? total : undefined;
}

export interface WaitEstimator {
  /** Orders per second the workers get through, from the cached reports. */
  ordersPerSecond(): number;
  /** Milliseconds until a ticket with `position` tickets ahead is processed. */
  estimateWaitMs(position: number): number;
  /** Re-read the reports now (otherwise refreshed in the background at most every `refreshMs`). */
  refresh(): Promise<void>;
}

export function createWaitEstimator(options: {
  redis: RedisClient;
  clock: Clock;
  defaultOrdersPerSecond: number;
  staleAfterMs: number;
  refreshMs?: number;
}): WaitEstimator {
  const refreshMs = options.refreshMs ?? 500;
  let measured: number | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let refreshing: Promise<void> | undefined;

  async function refresh(): Promise<void> {
    const reports = await options.redis.hgetall(redisKeys.workerThroughput());
    measured = throughputFromReports(reports, { now: options.clock(), staleAfterMs: options.staleAfterMs });
    fetchedAt = options.clock();
  }

  function refreshInBackground(): void {
    if (refreshing || options.clock() - fetchedAt < refreshMs) return;
    refreshing = refresh()
      .catch(() => undefined) // a failed read keeps the last figure; the next call retries
      .finally(() => {
        refreshing = undefined;
      });
  }

  function ordersPerSecond(): number {
    refreshInBackground();
    return measured ?? options.defaultOrdersPerSecond;
  }

  return {
    ordersPerSecond,
    estimateWaitMs(position) {
      return Math.round(((position + 1) / ordersPerSecond()) * 1000);
    },
    refresh,
  };
}
