import { env } from '@seckill/platform';
import { z } from 'zod';

const DEV_ORIGINS = ['http://localhost:8080', 'http://127.0.0.1:8080', 'http://localhost:3000', 'http://127.0.0.1:3000'];

const originList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  )
  .refine(
    (origins) => origins.every((origin) => origin === '*' || /^https?:\/\/[^\s/]+$/.test(origin)),
    'must be a comma list of origins like https://shop.example.com (or *)',
  )
  .default(DEV_ORIGINS);

/** Environment of one push node; see README.md for what each variable does. */
export const configSchema = z
  .object({
    PORT: env.port(3001),
    HOST: env.host,
    LOG_LEVEL: env.logLevel,
    REDIS_URL: env.redisUrl,
    /** PostgreSQL: the snapshot's source for final tickets Redis lost. */
    DATABASE_URL: env.databaseUrl,
    /** How long a snapshot waits for PostgreSQL before sending Redis's alone. */
    POSTGRES_TIMEOUT_MS: env.positiveInt(500),
    NATS_URL: env.natsUrl,
    AUTH_SECRET: env.authSecret,
    NATS_SUBJECT_PREFIX: env.natsSubjectPrefix,
    ALLOWED_ORIGINS: originList,
    AUTH_TIMEOUT_MS: env.positiveInt(5_000),
    HEARTBEAT_MS: env.positiveInt(15_000),
    MAX_PAYLOAD_BYTES: env.positiveInt(4_096),
    SLOW_CONSUMER_BYTES: env.positiveInt(1_048_576),
    MAX_SESSIONS_PER_USER: env.positiveInt(5),
    MAX_MESSAGES_PER_SECOND: env.positiveInt(20),
    DRAIN_TIMEOUT_MS: env.positiveInt(3_000),
    /** Drain the sessions, then close NATS and Redis: at most this long after SIGTERM. */
    SHUTDOWN_TIMEOUT_MS: env.shutdownTimeoutMs(5_000),
  })
  .refine((config) => config.SHUTDOWN_TIMEOUT_MS >= config.DRAIN_TIMEOUT_MS + 1_000, {
    message: 'must leave at least 1000 ms after DRAIN_TIMEOUT_MS to close the connections',
    path: ['SHUTDOWN_TIMEOUT_MS'],
  });
export type PushConfig = z.infer<typeof configSchema>;
