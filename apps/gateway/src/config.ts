import { ORDER_WORKER_GROUP, ORDERS_TOPIC } from '@seckill/contracts';
import { env } from '@seckill/platform';
import { z } from 'zod';

const nonNegativeInt = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
const positiveNumber = (fallback: number) => z.coerce.number().positive().default(fallback);

/** Browser origins of the dev shop page (any port on localhost), used when CORS_ORIGINS is unset. */
export const DEV_ORIGIN_PATTERN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

export const gatewayConfigSchema = z.object({
  PORT: env.port(3000),
  HOST: env.host,
  LOG_LEVEL: env.logLevel,
  DATABASE_URL: env.databaseUrl,
  REDIS_URL: env.redisUrl,
  KAFKA_BROKERS: env.kafkaBrokers,
  NATS_URL: env.natsUrl,
  AUTH_SECRET: env.authSecret,
  ADMIN_TOKEN: env.adminToken,
  /** Topic the admitted orders go to (tests use a fresh one). */
  ORDERS_TOPIC: z.string().min(1).default(ORDERS_TOPIC),
  /** The order workers' consumer group: after a Redis loss, a sale admits again once it consumed what was in flight. */
  ORDER_WORKER_GROUP: z.string().min(1).default(ORDER_WORKER_GROUP),
  /** Prefix of the per-user NATS subjects (`<prefix>.users.<id>.tickets`). */
  NATS_SUBJECT_PREFIX: env.natsSubjectPrefix,
  /** Requests per minute; 0 disables the limit. */
  RATE_LIMIT_PER_USER_PER_MIN: nonNegativeInt(600),
  RATE_LIMIT_PER_IP_PER_MIN: nonNegativeInt(1_000_000),
  /** Kafka batching: wait this long for more messages, or send at once when this many are pending. */
  KAFKA_LINGER_MS: nonNegativeInt(1),
  KAFKA_BATCH_MAX_MESSAGES: env.positiveInt(1000),
  /** Idempotent producers batching side by side (each may have one request in flight). */
  KAFKA_PRODUCERS: env.positiveInt(2),
  /**
   * The Redis step of a purchase (and a reload from PostgreSQL) must be done within this, or the
   * answer is 503 with nothing reserved (the script refuses to admit once it is past).
   */
  ADMISSION_TIMEOUT_MS: env.positiveInt(1000),
  /** How long a purchase waits for Kafka's acknowledgement before answering 202 anyway (the ticket is in the outbox). */
  ENQUEUE_WAIT_MS: nonNegativeInt(800),
  /** An admitted ticket whose message Kafka has not acknowledged after this long is re-produced by a gateway's relay (and again after as long). */
  OUTBOX_RELAY_AFTER_MS: env.positiveInt(2000),
  /** How often each gateway sweeps the outboxes. */
  OUTBOX_SWEEP_INTERVAL_MS: env.positiveInt(500),
  /** A ticket Kafka has not taken this long after admission (and no worker claimed) ends FAILED QUEUE_UNAVAILABLE; its stock returns. */
  ENQUEUE_DEADLINE_MS: env.positiveInt(30_000),
  /**
   * A sale reloaded after a Redis loss admits nobody new (503, nothing reserved) until the order
   * workers consumed the tickets from before the loss, or this long at most.
   */
  SALE_RECOVERY_MAX_MS: env.positiveInt(15_000),
  /** A purchase challenge (sales with bot friction) is good for one purchase within this long of being issued. */
  CHALLENGE_TTL_MS: env.positiveInt(120_000),
  /** How long one Kafka request may wait for the broker. */
  KAFKA_REQUEST_TIMEOUT_MS: env.positiveInt(5000),
  /** No Redis command waits longer than this on a stalled Redis. */
  REDIS_COMMAND_TIMEOUT_MS: env.positiveInt(1000),
  /**
   * Load shedding: while the event loop lags more than this, purchases are answered 503 with
   * Retry-After at once (nothing reserved) instead of queueing past the answer bound; 0 is off.
   */
  SHED_EVENT_LOOP_DELAY_MS: nonNegativeInt(500),
  /** No PostgreSQL call off the order path (ticket lookups after a Redis loss, cancel records) waits longer. */
  POSTGRES_TIMEOUT_MS: env.positiveInt(2000),
  /** Wait estimate when no worker reported its throughput recently. */
  DEFAULT_ORDERS_PER_SECOND: positiveNumber(1000),
  /** A worker's throughput report older than this is ignored. */
  THROUGHPUT_STALE_MS: env.positiveInt(10_000),
  BODY_LIMIT_BYTES: env.positiveInt(16 * 1024),
  /** Comma-separated allowed browser origins; unset = localhost on any port. */
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((value) =>
      value
        ?.split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    ),
  /** Serve the Swagger UI at /docs (the OpenAPI document is always at /openapi.json). */
  SWAGGER_UI: env.flag(true),
  /** Trust X-Forwarded-For from a reverse proxy (the per-IP limit then uses the client's address). */
  TRUST_PROXY: env.flag(false),
  /** An operator may change a sale only until this long before it starts. */
  ADMIN_CHANGE_LEAD_MS: env.positiveInt(5_000),
  /** Stop accepting, flush the last Kafka batch, finish in-flight requests, close: at most this long after SIGTERM. */
  SHUTDOWN_TIMEOUT_MS: env.shutdownTimeoutMs(10_000),
  /** The admin statistics' rates are averaged over this many complete seconds. */
  STATS_WINDOW_SECONDS: env.positiveInt(5),
  /** How often the statistics stream (the live dashboard) sends a new look at the sale. */
  STATS_STREAM_INTERVAL_MS: env.positiveInt(1_000),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
