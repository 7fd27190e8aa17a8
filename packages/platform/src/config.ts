import { z } from 'zod';
import { parseRedisTarget } from './redis';

declare module 'zod' {
  interface GlobalMeta {
    /** How the README's env table shows a default computed at start (`<hostname>-<pid>`), in place of the value. */
    envDefault?: string;
  }
}

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

/** The items of a comma list, trimmed, empty ones dropped. */
export function splitCommaList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function isUrlWithProtocol(value: string, protocols: readonly string[], requireHost: boolean): boolean {
  if (/\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && (!requireHost || url.host !== '');
  } catch {
    return false;
  }
}

/**
 * A comma-separated list (`a, b,c`): items trimmed, empty ones dropped; with `item`, every item
 * must pass it, and the message names the whole variable.
 */
function list(options: { item?: (item: string) => boolean; message?: string; nonEmpty?: boolean } = {}) {
  const { item = () => true, nonEmpty = false, message = 'must be a comma-separated list' } = options;
  return z
    .string()
    .transform(splitCommaList)
    .refine((items) => (!nonEmpty || items.length > 0) && items.every(item), message);
}

/**
 * A URL whose scheme is one of `protocols` (`['nats:', 'tls:']`). With `list`, a comma list of
 * such URLs, each naming its host, kept as the one string the client takes (no empty item).
 */
function url(options: { protocols: readonly string[]; list?: boolean; message?: string }) {
  const { protocols, list: isList = false } = options;
  const message = options.message ?? `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`;
  return z
    .string()
    .refine(
      (value) =>
        isList
          ? value.split(',').every((item) => isUrlWithProtocol(item.trim(), protocols, true))
          : isUrlWithProtocol(value, protocols, false),
      message,
    );
}

/** `true` / `false` (also 1/0, yes/no, on/off, y/n, enabled/disabled). */
const bool = (fallback: boolean) => z.stringbool().default(fallback);
const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const nonNegativeInt = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
const host = z.string().min(1).default('127.0.0.1').describe('listen address (images: `0.0.0.0`)');
const logLevel = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info')
  .describe('pino level (pretty output only on a TTY)');

/** Env fragments, composed by each app into the schema of what it needs. Descriptions feed the READMEs' env tables. */
export const env = {
  list,
  url,
  bool,
  port,
  positiveInt,
  /** A count or duration where 0 means "off". */
  nonNegativeInt,
  /** A non-empty name (topic, group, id) with a default. */
  name: (fallback: string) => z.string().min(1).default(fallback),
  /** The address to listen on: loopback unless told otherwise (images set 0.0.0.0). */
  host,
  logLevel,
  databaseUrl: url({ protocols: ['postgresql:', 'postgres:'] }).describe('PostgreSQL, e.g. `postgresql://postgres@127.0.0.1:5432/seckill`'),
  redisUrl: z
    .string()
    .refine(
      (value) => parseRedisTarget(value) !== undefined,
      'must be redis://host:port (one server) or redis-cluster://host:port,host:port (cluster seed nodes)',
    )
    .default('redis://127.0.0.1:6379')
    .describe("one Redis (`redis://`, `rediss://`), or a Redis Cluster's seed nodes: `redis-cluster://host:port,host:port,...`"),
  kafkaBrokers: list({
    item: (broker) => /^[^\s:]+:\d+$/.test(broker),
    message: 'must be host:port[,host:port...]',
    nonEmpty: true,
  })
    .default(['127.0.0.1:9092'])
    .describe('Kafka bootstrap brokers: comma list of `host:port`'),
  /** One NATS server, or a comma list of a cluster's servers. */
  natsUrl: url({ protocols: ['nats:', 'tls:', 'ws:', 'wss:'], list: true, message: 'must be nats://host:port[,nats://host:port...]' })
    .default('nats://127.0.0.1:4222')
    .describe("one NATS server, or a comma list of a NATS cluster's servers"),
  /** Prefix of the per-user NATS subjects (`<prefix>.users.<id>.tickets`); tests isolate with their own. */
  natsSubjectPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be NATS subject tokens like seckill or test.abc')
    .default('seckill')
    .describe('ticket events go to `<prefix>.users.<userId>.tickets`; overridable so tests stay apart'),
  authSecret: z
    .string()
    .min(32, 'must be at least 32 characters (HS256 secret)')
    .describe('HS256 secret of the user JWTs (`sub` = user id), ≥ 32 characters; the same in the gateway, push nodes and web'),
  adminToken: z.string().min(16, 'must be at least 16 characters'),
  /** How long a SIGTERM'd process may take to finish its work and close before it is forced out (Kubernetes' grace period must be longer). */
  shutdownTimeoutMs: positiveInt,
  /**
   * PORT, HOST and LOG_LEVEL of a process with an HTTP server: the same in every app but for the
   * port and what it serves.
   */
  server: (options: { port: number; serves?: string }) => ({
    PORT: port(options.port).describe(`listen port${options.serves ? ` (${options.serves})` : ''}`),
    HOST: host,
    LOG_LEVEL: logLevel,
  }),
};
