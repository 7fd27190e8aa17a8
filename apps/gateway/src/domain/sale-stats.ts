import { DELIVERY_LATENCY_BOUNDS_MS, type SaleStats } from '@seckill/contracts';
import type { PrismaClient } from '@seckill/db';
import { withDeadline } from '@seckill/platform';
import type { ActivityCounts, RedisState } from '@seckill/redis-state';
import type { Clock } from './clock';
import type { SaleCatalog } from './sale-catalog';
import type { OrderQueueProgress } from './sale-recovery';

export interface SaleStatsReader {
  /** One look at the sale; undefined when it does not exist. */
  read(saleId: string): Promise<SaleStats | undefined>;
}

/** Fields counted per sale (see `ActivityCounts`) whose names carry a reason after a colon. */
const byPrefix = (counts: ActivityCounts, prefix: string): Record<string, number> =>
  Object.fromEntries(Object.entries(counts).flatMap(([field, n]) => (field.startsWith(prefix) ? [[field.slice(prefix.length), n]] : [])));

const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);

/** The smallest bound under which 99 % of the counted deliveries fell; null without deliveries. */
export function deliveryP99Ms(counts: ActivityCounts): number | null {
  const perBound = DELIVERY_LATENCY_BOUNDS_MS.map((bound) => counts[`delivery_ms:${bound}`] ?? 0);
  const total = sum(perBound);
  if (total === 0) return null;
  let seen = 0;
  for (const [index, count] of perBound.entries()) {
    seen += count;
    if (seen >= total * 0.99) {
      const bound = DELIVERY_LATENCY_BOUNDS_MS[index]!;
      // Past the last finite bound all that is known is "more than" it.
      return Number.isFinite(bound) ? bound : DELIVERY_LATENCY_BOUNDS_MS.at(-2)!;
    }
  }
  return null;
}

/** Add up the per-second counts of a window. */
export function addCounts(perSecond: readonly { counts: ActivityCounts }[]): ActivityCounts {
  const total: ActivityCounts = {};
  for (const { counts } of perSecond) for (const [field, n] of Object.entries(counts)) total[field] = (total[field] ?? 0) + n;
  return total;
}

/**
 * The admin statistics of a sale: Redis (tokens, queue, the activity every gateway, worker and
 * push node counts), PostgreSQL (stock, orders) and Kafka (the workers' lag), each read with a
 * deadline so a stalled dependency cannot hold the dashboard up.
 */
export function createSaleStatsReader(options: {
  prisma: PrismaClient;
  redisState: Pick<RedisState, 'readSaleActivity' | 'listPushNodes' | 'listWorkers'>;
  sales: Pick<SaleCatalog, 'view'>;
  orderQueue: OrderQueueProgress;
  clock: Clock;
  /** Rates are averaged over this many complete seconds. */
  windowSeconds: number;
  /** Process reports older than this are ignored (the process is gone). */
  staleAfterMs: number;
  timeoutMs: number;
}): SaleStatsReader {
  const { prisma, redisState, clock, windowSeconds, staleAfterMs, timeoutMs } = options;
  const timed = <T>(work: Promise<T>, what: string) => withDeadline(work, timeoutMs, what);

  async function workersLag(): Promise<number | null> {
    try {
      const [ends, committed] = await timed(Promise.all([options.orderQueue.endOffsets(), options.orderQueue.committedOffsets()]), 'Kafka');
      return sum([...ends].map(([partition, end]) => Math.max(0, end - Math.max(0, committed.get(partition) ?? 0))));
    } catch {
      return null;
    }
  }

  async function postgresFigures(saleId: string) {
    const [sale, orders] = await timed(
      Promise.all([
        prisma.sale.findUnique({ where: { id: saleId }, select: { stock: true, initialStock: true } }),
        prisma.order.groupBy({ by: ['status'], where: { saleId }, _count: { _all: true } }),
      ]),
      'PostgreSQL',
    );
    const count = (status: string) => orders.find((row) => row.status === status)?._count._all ?? 0;
    return { sale, orders: { pendingPayment: count('PENDING_PAYMENT'), paid: count('PAID'), expired: count('EXPIRED') } };
  }

  return {
    async read(saleId) {
      const sale = await options.sales.view(saleId);
      if (!sale) return undefined;
      const now = clock();
      const lastSecond = Math.floor(now / 1000) - 1;
      const [figures, activity, pushNodes, workers, lag] = await Promise.all([
        postgresFigures(saleId),
        timed(redisState.readSaleActivity(saleId, lastSecond - windowSeconds + 1, lastSecond), 'Redis'),
        timed(redisState.listPushNodes(now, staleAfterMs), 'Redis'),
        timed(redisState.listWorkers(now, staleAfterMs), 'Redis'),
        workersLag(),
      ]);
      const window = addCounts(activity.perSecond);
      const perSecond = (n: number) => Math.round((n / windowSeconds) * 10) / 10;
      const { totals } = activity;
      const orders = figures.orders;
      return {
        at: new Date(now).toISOString(),
        sale,
        stock: { initial: sale.initialStock, redis: sale.remainingStock, postgres: figures.sale?.stock ?? 0 },
        orders: { total: orders.pendingPayment + orders.paid + orders.expired, ...orders },
        queue: { depth: sale.queueDepth, capacity: sale.queueCapacity },
        rates: {
          windowSeconds,
          admissions: perSecond(window.admitted ?? 0),
          orders: perSecond(window.ordered ?? 0),
          refusals: Object.fromEntries(Object.entries(byPrefix(window, 'refused:')).map(([code, n]) => [code, perSecond(n)])),
          deliveries: perSecond(window.delivered ?? 0),
        },
        totals: {
          admitted: totals.admitted ?? 0,
          repeated: totals.existing ?? 0,
          refused: byPrefix(totals, 'refused:'),
          ordered: totals.ordered ?? 0,
          failed: byPrefix(totals, 'failed:'),
          delivered: totals.delivered ?? 0,
        },
        push: { nodes: pushNodes.length, sessions: sum(pushNodes.map((node) => node.value)), deliveryP99Ms: deliveryP99Ms(window) },
        workers: { count: workers.length, ordersPerSecond: Math.round(sum(workers.map((worker) => worker.value)) * 10) / 10, lag },
      };
    },
  };
}
