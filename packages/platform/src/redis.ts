import { Redis } from 'ioredis';

export type { Redis };

/** ioredis client; commands queue while (re)connecting instead of failing at once. */
export function createRedis(url: string, options: { name?: string } = {}): Redis {
  return new Redis(url, {
    connectionName: options.name,
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
  });
}
