import { Cluster, type RedisClient } from '../redis';

/**
 * KEYS on one Redis, or on every primary of a Redis Cluster (where a plain KEYS asks one node):
 * for tests cleaning up what they wrote. Never on a hot path: KEYS scans the whole keyspace.
 */
export async function keysMatching(redis: RedisClient, pattern: string): Promise<string[]> {
  if (!(redis instanceof Cluster)) return redis.keys(pattern);
  const perNode = await Promise.all(redis.nodes('master').map((node) => node.keys(pattern)));
  return perNode.flat();
}
