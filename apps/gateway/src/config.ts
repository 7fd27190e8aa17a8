import { ORDER_WORKER_GROUP, ORDERS_TOPIC } from '@seckill/contracts';
import { env } from '@seckill/platform';
import { z } from 'zod';

/** Browser origins of the dev shop page (any port on localhost), used when CORS_ORIGINS is unset. */
export const DEV_ORIGIN_PATTERN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

/** The gateway's environment; each description is a row of the README's env table (`pnpm env-tables`). */
export const gatewayConfigSchema = z.object({
  ...env.server({ port: 3000 }),
  DATABASE_URL: env.databaseUrl,
  REDIS_URL: env.redisUrl.describe(
    'stock tokens, tickets, queue, rate limits; `redis-cluster://host:port,host:port,...` for a Redis Cluster',
  ),
  KAFKA_BROKERS: env.kafkaBrokers,
  NATS_URL: env.natsUrl.describe(
    "the events the gateway itself publishes (cancelled and reaped tickets, paid orders); a comma list of a NATS cluster's servers",
  ),
  AUTH_SECRET: env.authSecret,
  ADMIN_TOKEN: env.adminToken.describe('bearer token of the admin routes, ≥ 16 characters'),
  ORDERS_TOPIC: env.name(ORDERS_TOPIC).describe('topic of the admitted orders (tests use a fresh one)'),
  ORDER_WORKER_GROUP: env
    .name(ORDER_WORKER_GROUP)
    .describe(
      "the order workers' consumer group: after a Redis loss, a reloaded sale admits again once this group consumed what was in flight",
    ),
  NATS_SUBJECT_PREFIX: env.natsSubjectPrefix,
  RATE_LIMIT_PER_USER_PER_MIN: env
    .nonNegativeInt(600)
    .describe(
      'per-user limit per minute (purchases: per sale, in the admission script; other shopper routes: `@fastify/rate-limit`); `0` disables',
    ),
  RATE_LIMIT_PER_IP_PER_MIN: env.nonNegativeInt(1_000_000).describe('per-IP limit per minute, counted as the per-user one; `0` disables'),
  KAFKA_LINGER_MS: env.nonNegativeInt(1).describe('Kafka batching: a batch waits this long for more messages'),
  KAFKA_BATCH_MAX_MESSAGES: env.positiveInt(1000).describe('Kafka batching: a batch leaves at once when this many messages are pending'),
  KAFKA_PRODUCERS: env.positiveInt(2).describe('idempotent producers batching side by side (each may have one request in flight)'),
  ADMISSION_TIMEOUT_MS: env
    .positiveInt(1000)
    .describe(
      'the Redis step of a purchase (and a reload from PostgreSQL) must be done by then, else `503` with nothing reserved (the script refuses to admit once it is past)',
    ),
  ENQUEUE_WAIT_MS: env
    .nonNegativeInt(800)
    .describe("how long a purchase waits for Kafka's acknowledgement before answering `202` anyway (the ticket is in the outbox)"),
  OUTBOX_RELAY_AFTER_MS: env
    .positiveInt(2000)
    .describe("a ticket Kafka has not acknowledged after this long is re-produced by a gateway's relay (and again after as long)"),
  OUTBOX_SWEEP_INTERVAL_MS: env.positiveInt(500).describe('how often each gateway sweeps the outboxes'),
  ENQUEUE_DEADLINE_MS: env
    .positiveInt(30_000)
    .describe(
      'a ticket Kafka did not take this long after admission (and no worker claimed) ends `FAILED QUEUE_UNAVAILABLE`; its stock returns',
    ),
  SALE_RECOVERY_MAX_MS: env
    .positiveInt(15_000)
    .describe(
      'a sale reloaded after a Redis loss admits nobody new (`503`, nothing reserved) until the order workers consumed the tickets from before the loss, or this long at most',
    ),
  CHALLENGE_TTL_MS: env
    .positiveInt(120_000)
    .describe('a purchase challenge (sales with bot friction) is good for one purchase within this long of being issued'),
  KAFKA_REQUEST_TIMEOUT_MS: env.positiveInt(5000).describe('how long one Kafka request may wait for the broker'),
  REDIS_COMMAND_TIMEOUT_MS: env.positiveInt(1000).describe('no Redis command waits longer than this on a stalled Redis'),
  SHED_EVENT_LOOP_DELAY_MS: env
    .nonNegativeInt(500)
    .describe(
      'load shedding: while the event loop lags more than this, purchases are answered `503` with `Retry-After` at once (nothing reserved) instead of queueing past the answer bound; `0` is off',
    ),
  POSTGRES_TIMEOUT_MS: env
    .positiveInt(2000)
    .describe('no PostgreSQL call off the order path (ticket lookups after a Redis loss, cancel records) waits longer'),
  DEFAULT_ORDERS_PER_SECOND: z.coerce
    .number()
    .positive()
    .default(1000)
    .describe('wait estimate when no worker reported its throughput recently'),
  THROUGHPUT_STALE_MS: env.positiveInt(10_000).describe("a worker's throughput report older than this is ignored"),
  BODY_LIMIT_BYTES: env.positiveInt(16 * 1024).describe('larger bodies get `413`'),
  CORS_ORIGINS: env.list().optional().describe('comma list of allowed browser origins; unset: localhost / 127.0.0.1 on any port'),
  SWAGGER_UI: env.bool(true).describe('serve the Swagger UI at `/docs` (the OpenAPI document is always at `/openapi.json`)'),
  TRUST_PROXY: env.bool(false).describe("trust `X-Forwarded-For` from a reverse proxy (the per-IP limit then uses the client's address)"),
  ADMIN_CHANGE_LEAD_MS: env.positiveInt(5_000).describe('an operator may change a sale only until this long before it starts'),
  SHUTDOWN_TIMEOUT_MS: env
    .shutdownTimeoutMs(10_000)
    .describe('SIGTERM: stop accepting, flush the last Kafka batch, finish in-flight requests, close, within this'),
  STATS_WINDOW_SECONDS: env.positiveInt(5).describe("the admin statistics' rates are averaged over this many complete seconds"),
  STATS_STREAM_INTERVAL_MS: env
    .positiveInt(1_000)
    .describe('how often the statistics stream (the live dashboard) sends a new look at the sale'),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
