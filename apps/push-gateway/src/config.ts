import { env } from '@seckill/platform';
import { z } from 'zod';

const DEV_ORIGINS = ['http://localhost:8080', 'http://127.0.0.1:8080', 'http://localhost:3000', 'http://127.0.0.1:3000'];

const originList = env
  .list({
    item: (origin) => origin === '*' || /^https?:\/\/[^\s/]+$/.test(origin),
    message: 'must be a comma list of origins like https://shop.example.com (or *)',
  })
  .default(DEV_ORIGINS);

/** Environment of one push node; each description is a row of the README's env table (`pnpm env-tables`). */
export const configSchema = z
  .object({
    ...env.server({ port: 3001 }),
    REDIS_URL: env.redisUrl.describe('ticket snapshot; `redis-cluster://host:port,host:port,...` for a Redis Cluster'),
    DATABASE_URL: env.databaseUrl.describe("PostgreSQL: the snapshot's final tickets that Redis lost"),
    POSTGRES_TIMEOUT_MS: env
      .positiveInt(500)
      .describe(
        'how long the lookup of tickets Redis lost waits for PostgreSQL before the snapshot goes without them (the session is live meanwhile)',
      ),
    NATS_URL: env.natsUrl.describe("result events; a comma list of a NATS cluster's servers"),
    AUTH_SECRET: env.authSecret,
    NATS_SUBJECT_PREFIX: env.natsSubjectPrefix,
    ALLOWED_ORIGINS: originList.describe(
      'comma list of browser origins; `*` allows all; requests without `Origin` (Node clients) are allowed',
    ),
    AUTH_TIMEOUT_MS: env.positiveInt(5_000).describe('deadline for the auth message'),
    HEARTBEAT_MS: env.positiveInt(15_000).describe('ping interval; a socket missing one ping is terminated'),
    MAX_PAYLOAD_BYTES: env.positiveInt(4_096).describe('largest client message (larger: closed with 1009)'),
    SLOW_CONSUMER_BYTES: env.positiveInt(1_048_576).describe("a socket's send-buffer limit before it is closed with 4008"),
    MAX_SESSIONS_PER_USER: env.positiveInt(5).describe("a user's sessions per node (one more: closed with 4002)"),
    MAX_MESSAGES_PER_SECOND: env.positiveInt(20).describe('client messages per second before the socket is closed with 4010'),
    DRAIN_TIMEOUT_MS: env.positiveInt(3_000).describe('how long a drain (SIGTERM) waits for the sessions to close'),
    SHUTDOWN_TIMEOUT_MS: env
      .shutdownTimeoutMs(5_000)
      .describe('the whole shutdown (drain the sessions, then close NATS and Redis); at least `DRAIN_TIMEOUT_MS` + 1 s'),
  })
  .refine((config) => config.SHUTDOWN_TIMEOUT_MS >= config.DRAIN_TIMEOUT_MS + 1_000, {
    message: 'must leave at least 1000 ms after DRAIN_TIMEOUT_MS to close the connections',
    path: ['SHUTDOWN_TIMEOUT_MS'],
  });
export type PushConfig = z.infer<typeof configSchema>;
