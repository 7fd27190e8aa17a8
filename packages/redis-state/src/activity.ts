import type { RedisClient } from './redis-client';
import { redisKeys } from './keys';

/**
 * What happened to one sale, by field: `admitted`, `existing`, `refused:<CODE>` (gateways),
 * `ordered`, `failed:<REASON>` (workers), `delivered`, `delivery_ms:<bound>` (push nodes: live
 * deliveries whose latency was at most that bound and above the bound below it).
 */
export type ActivityCounts = Record<string, number>;

/** How long the per-second counts stay (the dashboard shows the last minutes; Prometheus keeps the history). */
export const ACTIVITY_BUCKET_TTL_SECONDS = 3_600;
/** The totals of a sale stay as long as its tickets' results. */
const ACTIVITY_TOTALS_TTL_SECONDS = 7 * 24 * 3600;

/** A process that reports itself (push node sessions, worker throughput), with when it last did. */
export interface ProcessReport {
  id: string;
  value: number;
  updatedAt: number;
}

function parseCounts(hash: Record<string, string>): ActivityCounts {
  return Object.fromEntries(Object.entries(hash).map(([field, value]) => [field, Number(value)]));
}

/** `<value>:<updatedAtMs>` per process id, keeping the reports younger than `staleAfterMs`. */
function freshReports(hash: Record<string, string>, nowMs: number, staleAfterMs: number): ProcessReport[] {
  return Object.entries(hash).flatMap(([id, report]) => {
    const [value, updatedAt] = report.split(':').map(Number);
    return Number.isFinite(value) && Number.isFinite(updatedAt) && nowMs - updatedAt! <= staleAfterMs
      ? [{ id, value: value!, updatedAt: updatedAt! }]
      : [];
  });
}

/** Per-sale activity counters (per second and in total) and the reports of the processes: the admin statistics' source. */
export function createActivityState(redis: RedisClient) {
  return {
    /** Add `counts` to the sale's second `second` (epoch s) and to its totals. */
    async recordSaleActivity(saleId: string, second: number, counts: ActivityCounts): Promise<void> {
      const bucket = redisKeys.saleActivity(saleId, second);
      const totals = redisKeys.saleActivityTotals(saleId);
      // Every key is in the sale's slot: one pipeline, also on a cluster.
      const pipeline = redis.pipeline();
      for (const [field, count] of Object.entries(counts)) {
        if (count === 0) continue;
        pipeline.hincrby(bucket, field, count).hincrby(totals, field, count);
      }
      pipeline.expire(bucket, ACTIVITY_BUCKET_TTL_SECONDS).expire(totals, ACTIVITY_TOTALS_TTL_SECONDS);
      const results = await pipeline.exec();
      for (const [error] of results ?? []) if (error) throw error;
    },

    /** The sale's counts of each second from `fromSecond` to `toSecond` (inclusive), and its totals. */
    async readSaleActivity(
      saleId: string,
      fromSecond: number,
      toSecond: number,
    ): Promise<{ perSecond: Array<{ second: number; counts: ActivityCounts }>; totals: ActivityCounts }> {
      const seconds = Array.from({ length: Math.max(0, toSecond - fromSecond + 1) }, (_, i) => fromSecond + i);
      const pipeline = redis.pipeline();
      for (const second of seconds) pipeline.hgetall(redisKeys.saleActivity(saleId, second));
      pipeline.hgetall(redisKeys.saleActivityTotals(saleId));
      const results = (await pipeline.exec()) ?? [];
      const hashes = results.map(([error, hash]) => {
        if (error) throw error;
        return parseCounts(hash as Record<string, string>);
      });
      return { perSecond: seconds.map((second, i) => ({ second, counts: hashes[i]! })), totals: hashes.at(-1) ?? {} };
    },

    /** A push node's session count, reported every few seconds. */
    async reportPushNode(nodeId: string, sessions: number, nowMs: number): Promise<void> {
      await redis.hset(redisKeys.pushNodes(), nodeId, `${sessions}:${nowMs}`);
    },

    async removePushNode(nodeId: string): Promise<void> {
      await redis.hdel(redisKeys.pushNodes(), nodeId);
    },

    /** The push nodes that reported within `staleAfterMs`, with their session counts. */
    async listPushNodes(nowMs: number, staleAfterMs: number): Promise<ProcessReport[]> {
      return freshReports(await redis.hgetall(redisKeys.pushNodes()), nowMs, staleAfterMs);
    },

    /** The order workers that reported their throughput (orders/s) within `staleAfterMs`. */
    async listWorkers(nowMs: number, staleAfterMs: number): Promise<ProcessReport[]> {
      return freshReports(await redis.hgetall(redisKeys.workerThroughput()), nowMs, staleAfterMs);
    },
  };
}
