import { Cluster, Redis } from 'ioredis';

export { Cluster, Redis };

/** A single Redis or a Redis Cluster: the apps use either through the same commands. */
export type RedisClient = Redis | Cluster;

/** Where Redis is: one server (`redis://…`), or the seed nodes of a cluster (`redis-cluster://h:p,h:p`). */
export type RedisTarget = { kind: 'single'; url: string } | { kind: 'cluster'; nodes: Array<{ host: string; port: number }> };

const CLUSTER_SCHEME = 'redis-cluster://';

/** Read a REDIS_URL; undefined when it is neither a redis:// URL nor a redis-cluster:// node list. */
export function parseRedisTarget(value: string): RedisTarget | undefined {
  if (value.startsWith(CLUSTER_SCHEME)) {
    const nodes = value
      .slice(CLUSTER_SCHEME.length)
      .split(',')
      .map((node) => /^\[?([^\]\s/]+?)\]?:(\d{1,5})$/.exec(node.trim()))
      .map((match) => match && { host: match[1]!, port: Number(match[2]) });
    if (nodes.length === 0 || nodes.some((node) => !node || node.port > 65_535)) return undefined;
    return { kind: 'cluster', nodes: nodes as Array<{ host: string; port: number }> };
  }
  try {
    return ['redis:', 'rediss:'].includes(new URL(value).protocol) ? { kind: 'single', url: value } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * ioredis client for a REDIS_URL: a Cluster client for `redis-cluster://` (commands are routed by
 * slot; each sale's keys share one slot), else a single one. Commands queue while (re)connecting
 * instead of failing at once, and with `commandTimeoutMs` none waits on a stalled Redis longer.
 */
export function createRedis(url: string, options: { name?: string; commandTimeoutMs?: number } = {}): RedisClient {
  const target = parseRedisTarget(url);
  if (!target) throw new Error(`not a Redis URL: ${url}`);
  const redisOptions = {
    connectionName: options.name,
    maxRetriesPerRequest: 3,
    ...(options.commandTimeoutMs ? { commandTimeout: options.commandTimeoutMs } : {}),
  };
  if (target.kind === 'cluster') {
    return new Cluster(target.nodes, { redisOptions, enableAutoPipelining: true, scaleReads: 'master' });
  }
  return new Redis(target.url, { ...redisOptions, enableAutoPipelining: true });
}
