import fp from 'fastify-plugin';
import { createRedis, type RedisClient } from '../redis';

declare module 'fastify' {
  interface FastifyInstance {
    redis: RedisClient;
  }
}

export interface RedisPluginOptions {
  url: string;
  /** The connection's name in Redis's CLIENT LIST. */
  name: string;
  commandTimeoutMs?: number;
}

/** `fastify.redis` (a single Redis or a Cluster, from REDIS_URL); connection errors logged; quit on close. */
export default fp<RedisPluginOptions>(
  async (fastify, options) => {
    const redis = createRedis(options.url, {
      name: options.name,
      ...(options.commandTimeoutMs ? { commandTimeoutMs: options.commandTimeoutMs } : {}),
    });
    redis.on('error', (err) => fastify.log.warn({ err }, 'redis connection error'));
    fastify.decorate<RedisClient>('redis', redis);
    fastify.addHook('onClose', async () => {
      await redis.quit().catch(() => redis.disconnect());
    });
  },
  { name: 'redis' },
);
