import { hostname } from 'node:os';
import { ORDER_WORKER_GROUP, ORDERS_DEAD_LETTER_TOPIC, ORDERS_TOPIC } from '@seckill/contracts';
import { env } from '@seckill/platform';
import { z } from 'zod';
import { TICKET_RESULT_TTL_SECONDS } from '@seckill/redis-state';

/** The worker's environment; each description is a row of the README's env table (`pnpm env-tables`). */
export const configSchema = z.object({
  DATABASE_URL: env.databaseUrl,
  REDIS_URL: env.redisUrl,
  KAFKA_BROKERS: env.kafkaBrokers,
  NATS_URL: env.natsUrl,
  NATS_SUBJECT_PREFIX: env.natsSubjectPrefix,
  ...env.server({ port: 3100, serves: 'health and metrics' }),
  ORDERS_TOPIC: env.name(ORDERS_TOPIC).describe('topic of the admitted orders; overridable so tests and benchmarks use fresh names'),
  ORDERS_DEAD_LETTER_TOPIC: env.name(ORDERS_DEAD_LETTER_TOPIC).describe('where poison messages go, with the reason in a header'),
  ORDER_WORKER_GROUP: env.name(ORDER_WORKER_GROUP).describe('the consumer group the workers share'),
  WORKER_ID: env
    .name(`${hostname()}-${process.pid}`)
    .meta({ description: "this worker's field in the throughput hash; unique per process", envDefault: '<hostname>-<pid>' }),
  PAYMENT_WINDOW_MS: env
    .positiveInt(15 * 60_000)
    .describe('how long an order waits for payment (15 min) before it expires and its stock returns'),
  EXPIRY_SWEEP_INTERVAL_MS: env.positiveInt(2_000).describe("the expiry sweeper's cadence"),
  EXPIRY_SWEEP_BATCH: env.positiveInt(500).describe('orders expired per sweeper transaction'),
  RESULT_TTL_SECONDS: env
    .positiveInt(TICKET_RESULT_TTL_SECONDS)
    .describe("how long a ticket's final state stays in Redis (7 days) for polling and push snapshots"),
  THROUGHPUT_PUBLISH_INTERVAL_MS: env
    .positiveInt(1_000)
    .describe("how often the worker publishes its throughput (the gateways' wait estimate)"),
  PARTITIONS_CONSUMED_CONCURRENTLY: env
    .positiveInt(12)
    .describe('Kafka partitions this process works on at once (their batches overlap I/O)'),
  KAFKA_SESSION_TIMEOUT_MS: env
    .positiveInt(10_000)
    .describe(
      "a dead consumer's partitions wait this long for the group to move them; also how long the group waits after kafkajs, crashing on a dead broker (it does not look for the new coordinator on a connection error), joins again as a new member",
    ),
  KAFKA_MAX_BYTES_PER_PARTITION: env
    .positiveInt(1_048_576)
    .describe('most bytes fetched per partition per request (bounds the batch size)'),
  SHUTDOWN_TIMEOUT_MS: env.shutdownTimeoutMs(30_000).describe('SIGTERM: finish the batch in hand, commit, close, within this'),
  WORKER_CRASH_AFTER_DB_COMMIT: env.bool(false).describe('**test only**: SIGKILL this process right after the first database commit'),
});

export type WorkerConfig = z.infer<typeof configSchema>;
