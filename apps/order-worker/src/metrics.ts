import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Outcome label of `seckill_worker_orders_total`. */
export type OrderOutcome =
  | 'succeeded'
  | 'sold_out'
  | 'already_ordered'
  | 'sale_not_found'
  | 'rejected'
  | 'closed_before'
  | 'cancelled'
  | 'republished'
  | 'dead_lettered';

export function createWorkerMetrics(registry: Registry) {
  return {
    orders: new Counter({
      name: 'seckill_worker_orders_total',
      help: 'Tickets processed by outcome (rate() gives orders/s)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'seckill_worker_batch_size',
      help: 'Messages per Kafka batch',
      buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'seckill_worker_batch_duration_seconds',
      help: 'Time from receiving a batch to committing its offsets',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    consumerLag: new Gauge({
      name: 'seckill_worker_consumer_lag',
      help: 'Messages behind the high watermark, per partition, after the last batch',
      labelNames: ['topic', 'partition'] as const,
      registers: [registry],
    }),
    expired: new Counter({
      name: 'seckill_worker_orders_expired_total',
      help: 'Unpaid orders expired by the sweeper (stock returned)',
      registers: [registry],
    }),
    throughput: new Gauge({
      name: 'seckill_worker_throughput_orders_per_second',
      help: 'Moving average of orders processed per second (published for the wait estimate)',
      registers: [registry],
    }),
  };
}
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
