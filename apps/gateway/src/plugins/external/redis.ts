import { createRedis, type RedisClient } from '@seckill/platform';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    redis: RedisClient;
  }
}

/** The Redis client for admission scripts, tickets and rate limits; quit on close. */
export default fp<{ url: string; commandTimeoutMs?: number }>(
  async (fastify, options) => {
    const redis = createRedis(options.url, { name: 'gateway', ...(options.commandTimeoutMs ? { commandTimeoutMs: options.commandTimeoutMs } : {}) });
    redis.on('error', (err) => fastify.log.warn({ err }, 'redis connection error'));
    fastify.decorate<RedisClient>('redis', redis);
    fastify.addHook('onClose', async () => {
      await redis.quit().catch(() => redis.disconnect());
    });
  },
  { name: 'redis' },
);
