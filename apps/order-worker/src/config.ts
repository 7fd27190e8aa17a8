import { hostname } from 'node:os';
import { ORDER_WORKER_GROUP, ORDERS_DEAD_LETTER_TOPIC, ORDERS_TOPIC } from '@seckill/contracts';
import { env } from '@seckill/platform';
import { z } from 'zod';
import { TICKET_RESULT_TTL_SECONDS } from '@seckill/redis-state';

export const configSchema = z.object({
  DATABASE_URL: env.databaseUrl,
  REDIS_URL: env.redisUrl,
  KAFKA_BROKERS: env.kafkaBrokers,
  NATS_URL: env.natsUrl,
  NATS_SUBJECT_PREFIX: env.natsSubjectPrefix,
  PORT: env.port(3100),
  HOST: env.host,
  LOG_LEVEL: env.logLevel,
  /** Topic, dead-letter topic and group: overridable so tests and benchmarks use fresh names. */
  ORDERS_TOPIC: z.string().min(1).default(ORDERS_TOPIC),
  ORDERS_DEAD_LETTER_TOPIC: z.string().min(1).default(ORDERS_DEAD_LETTER_TOPIC),
  ORDER_WORKER_GROUP: z.string().min(1).default(ORDER_WORKER_GROUP),
  /** Field of this worker in the throughput hash; unique per process. */
  WORKER_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
  /** How long an order waits for payment before it expires and its stock returns. */
  PAYMENT_WINDOW_MS: env.positiveInt(15 * 60_000),
  EXPIRY_SWEEP_INTERVAL_MS: env.positiveInt(2_000),
  EXPIRY_SWEEP_BATCH: env.positiveInt(500),
  /** How long a ticket's final state stays in Redis for polling and push snapshots. */
  RESULT_TTL_SECONDS: env.positiveInt(TICKET_RESULT_TTL_SECONDS),
  THROUGHPUT_PUBLISH_INTERVAL_MS: env.positiveInt(1_000),
  /** Kafka partitions this process works on at once (their batches overlap I/O). */
  PARTITIONS_CONSUMED_CONCURRENTLY: env.positiveInt(12),
  /** A consumer that died (or crashed on a dead broker and joined again as a new member) holds its partitions this long. */
  KAFKA_SESSION_TIMEOUT_MS: env.positiveInt(10_000),
  /** Most bytes fetched per partition per request (bounds the batch size). */
  KAFKA_MAX_BYTES_PER_PARTITION: env.positiveInt(1_048_576),
  /** Finish the batch in hand, commit, close: at most this long after SIGTERM. */
  SHUTDOWN_TIMEOUT_MS: env.shutdownTimeoutMs(30_000),
  /** Test hook: SIGKILL this process right after the first database commit. */
  WORKER_CRASH_AFTER_DB_COMMIT: env.flag(false),
});

export type WorkerConfig = z.infer<typeof configSchema>;
