import { ORDERS_TOPIC } from '@seckill/contracts';
import { env } from '@seckill/platform';
import { z } from 'zod';

const nonNegativeInt = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
const positiveNumber = (fallback: number) => z.coerce.number().positive().default(fallback);

/** Browser origins of the dev shop page (any port on localhost), used when CORS_ORIGINS is unset. */
export const DEV_ORIGIN_PATTERN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

export const gatewayConfigSchema = z.object({
  PORT: env.port(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: env.logLevel,
  DATABASE_URL: env.databaseUrl,
  REDIS_URL: env.redisUrl,
  KAFKA_BROKERS: env.kafkaBrokers,
  NATS_URL: env.natsUrl,
  AUTH_SECRET: env.authSecret,
  ADMIN_TOKEN: env.adminToken,
  /** Topic the admitted orders go to (tests use a fresh one). */
  ORDERS_TOPIC: z.string().min(1).default(ORDERS_TOPIC),
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
  /** How long this process answers 410 from memory once a sale sold out. */
  SOLD_OUT_MEMORY_MS: nonNegativeInt(1000),
  /** Wait estimate when no worker reported its throughput recently. */
  DEFAULT_ORDERS_PER_SECOND: positiveNumber(1000),
  /** A worker's throughput report older than this is ignored. */
  THROUGHPUT_STALE_MS: env.positiveInt(10_000),
  BODY_LIMIT_BYTES: env.positiveInt(16 * 1024),
  /** Comma-separated allowed browser origins; unset = localhost on any port. */
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((value) => value?.split(',').map((origin) => origin.trim()).filter(Boolean)),
  /** Serve the Swagger UI at /docs (the OpenAPI document is always at /openapi.json). */
  SWAGGER_UI: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /** Trust X-Forwarded-For from a reverse proxy (the per-IP limit then uses the client's address). */
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
