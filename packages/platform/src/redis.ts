import { Redis } from 'ioredis';

export type { Redis };

/**
 * ioredis client; commands queue while (re)connecting instead of failing at once, and with
 * `commandTimeoutMs` none waits on a stalled Redis longer than that.
 */
export function createRedis(url: string, options: { name?: string; commandTimeoutMs?: number } = {}): Redis {
  return new Redis(url, {
    connectionName: options.name,
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
    ...(options.commandTimeoutMs ? { commandTimeout: options.commandTimeoutMs } : {}),
  });
}
