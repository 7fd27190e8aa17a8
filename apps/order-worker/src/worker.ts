import { createPrismaClient } from '@seckill/db';
import { connectNats, createKafka, createRedis, type Logger } from '@seckill/platform';
import type { Registry } from 'prom-client';
import type { WorkerConfig } from './config';
import { createBatchProcessor } from './domain/batch-processor';
import { createDeadLetterPublisher } from './domain/dead-letter';
import { createExpirySweeper, scheduleSweeps } from './domain/expiry-sweeper';
import { createOrderConsumer } from './domain/order-consumer';
import { createCoalescingOrderWriter, createOrderWriter } from './domain/order-writer';
import { createThroughputMeter } from './domain/throughput-meter';
import { createUserEventPublisher } from './domain/user-events';
import { createWorkerMetrics } from './metrics';
import { createActivityRecorder, createRedisState, redisKeys } from '@seckill/redis-state';

export interface OrderWorker {
  /** What `/readyz` checks: the consumer is in its group, PostgreSQL, Redis and NATS answer. */
  probes: Record<'kafka' | 'postgres' | 'redis' | 'nats', () => unknown>;
  /** Finish the batch in hand, stop sweeping, close every connection. */
  close(): Promise<void>;
}

/**
 * Wires the worker: connections, the consumer group, the expiry sweeper and the throughput
 * publisher. `main.ts` runs it behind the health server; tests run it in-process.
 */
export async function startOrderWorker(options: {
  config: WorkerConfig;
  logger: Logger;
  registry: Registry;
  onFatal?: (error: Error) => void;
}): Promise<OrderWorker> {
  const { config, logger, registry } = options;
  const metrics = createWorkerMetrics(registry);
  const prisma = createPrismaClient({ databaseUrl: config.DATABASE_URL });
  const redis = createRedis(config.REDIS_URL, { name: `order-worker:${config.WORKER_ID}` });
  const nats = await connectNats({ url: config.NATS_URL, name: `order-worker:${config.WORKER_ID}` });
  const kafka = createKafka({ clientId: `order-worker-${config.WORKER_ID}`, brokers: config.KAFKA_BROKERS, logger });
  // Dead letters only: a duplicate there is harmless, so no idempotent producer (and its retry caveat).
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();

  const redisState = createRedisState({ redis, resultTtlSeconds: config.RESULT_TTL_SECONDS });
  const userEvents = createUserEventPublisher({ nats, subjectPrefix: config.NATS_SUBJECT_PREFIX });
  const throughput = createThroughputMeter();
  const activity = createActivityRecorder({
    record: (saleId, second, counts) => redisState.recordSaleActivity(saleId, second, counts),
    onError: (err) => logger.warn({ err }, 'could not record sale activity'),
  });
  const processBatch = createBatchProcessor({
    orderWriter: createCoalescingOrderWriter(createOrderWriter({ prisma, paymentWindowMs: config.PAYMENT_WINDOW_MS })),
    redisState,
    userEvents,
    deadLetters: createDeadLetterPublisher({ producer, topic: config.ORDERS_DEAD_LETTER_TOPIC }),
    metrics,
    throughput,
    activity,
    logger: logger.child({ component: 'batch' }),
    ...(config.WORKER_CRASH_AFTER_DB_COMMIT ? { afterDatabaseCommit: () => process.kill(process.pid, 'SIGKILL') } : {}),
  });
  const consumer = createOrderConsumer({
    kafka,
    groupId: config.ORDER_WORKER_GROUP,
    topic: config.ORDERS_TOPIC,
    processBatch,
    metrics,
    logger: logger.child({ component: 'consumer' }),
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    maxBytesPerPartition: config.KAFKA_MAX_BYTES_PER_PARTITION,
    partitionsConsumedConcurrently: config.PARTITIONS_CONSUMED_CONCURRENTLY,
    onFatal: options.onFatal ?? ((error) => logger.fatal({ err: error }, 'consumer cannot continue')),
  });
  await consumer.start();

  const sweeps = scheduleSweeps({
    sweeper: createExpirySweeper({
      prisma,
      redisState,
      userEvents,
      logger: logger.child({ component: 'expiry' }),
      batchSize: config.EXPIRY_SWEEP_BATCH,
      onExpired: (count) => metrics.expired.inc(count),
    }),
    intervalMs: config.EXPIRY_SWEEP_INTERVAL_MS,
    logger,
  });

  const publishThroughput = async () => {
    const ordersPerSecond = throughput.tick();
    metrics.throughput.set(ordersPerSecond);
    await redis.hset(redisKeys.workerThroughput(), config.WORKER_ID, `${ordersPerSecond.toFixed(1)}:${Date.now()}`);
  };
  const throughputTimer = setInterval(() => {
    publishThroughput().catch((err: unknown) => logger.warn({ err }, 'could not publish throughput'));
  }, config.THROUGHPUT_PUBLISH_INTERVAL_MS);

  return {
    probes: {
      kafka: () => {
        if (!consumer.joined) throw new Error('not a member of the consumer group');
      },
      postgres: () => prisma.$queryRaw`SELECT 1`,
      redis: () => redis.ping(),
      nats: () => nats.flush(),
    },
    async close() {
      clearInterval(throughputTimer);
      await consumer.stop();
      await sweeps.stop();
      await redis.hdel(redisKeys.workerThroughput(), config.WORKER_ID).catch(() => undefined);
      await activity.stop();
      await producer.disconnect();
      await nats.drain();
      await redis.quit();
      await prisma.$disconnect();
    },
  };
}
