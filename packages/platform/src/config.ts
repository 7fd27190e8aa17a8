import { z } from 'zod';
import { parseRedisTarget } from './redis';

/** Raised when the environment does not satisfy an app's config schema. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validate `env` against `schema`; the message names every bad variable so a
 * misconfigured process stops with something an operator can act on.
 */
export function parseConfig<Schema extends z.ZodType>(
  schema: Schema,
  env: Record<string, string | undefined> = process.env,
): z.infer<Schema> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
}

/** `parseConfig` for a `main.ts`: print the problems and exit 1 instead of throwing. */
export function loadConfigOrExit<Schema extends z.ZodType>(schema: Schema, appName: string): z.infer<Schema> {
  try {
    return parseConfig(schema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${appName}: ${error.message}\n`);
    process.exit(1);
  }
}

const urlWithProtocol = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
const brokerList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((broker) => broker.trim())
      .filter(Boolean),
  )
  .refine((brokers) => brokers.length > 0 && brokers.every((b) => /^[^\s:]+:\d+$/.test(b)), 'must be host:port[,host:port...]');

/** Env fragments, composed by each app into the schema of what it needs. */
export const env = {
  port,
  /** The address to listen on: loopback unless told otherwise (images set 0.0.0.0). */
  host: z.string().min(1).default('127.0.0.1'),
  /** `true` / `false` (also 1/0, yes/no, on/off). */
  flag: (fallback: boolean) => z.stringbool().default(fallback),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  databaseUrl: urlWithProtocol(['postgresql:', 'postgres:']),
  redisUrl: z
    .string()
    .refine(
      (value) => parseRedisTarget(value) !== undefined,
      'must be redis://host:port (one server) or redis-cluster://host:port,host:port (cluster seed nodes)',
    )
    .default('redis://127.0.0.1:6379'),
  kafkaBrokers: brokerList.default(['127.0.0.1:9092']),
  /** One NATS server, or a comma list of a cluster's servers. */
  natsUrl: z
    .string()
    .refine(
      (value) => value.split(',').every((server) => /^(nats|tls|ws|wss):\/\/[^\s,]+$/.test(server.trim())),
      'must be nats://host:port[,nats://host:port...]',
    )
    .default('nats://127.0.0.1:4222'),
  /** Prefix of the per-user NATS subjects (`<prefix>.users.<id>.tickets`); tests isolate with their own. */
  natsSubjectPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be NATS subject tokens like seckill or test.abc')
    .default('seckill'),
  authSecret: z.string().min(32, 'must be at least 32 characters (HS256 secret)'),
  adminToken: z.string().min(16, 'must be at least 16 characters'),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  /** How long a SIGTERM'd process may take to finish its work and close before it is forced out (Kubernetes' grace period must be longer). */
  shutdownTimeoutMs: (fallback: number) => z.coerce.number().int().positive().default(fallback),
};
