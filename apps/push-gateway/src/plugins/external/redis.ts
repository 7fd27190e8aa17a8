import { createRedis, type RedisClient } from '@seckill/platform';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    redis: RedisClient;
  }
}

/** The node's Redis connection (ticket snapshots); quit on close. */
export default fp(
  async (fastify: FastifyInstance, options: { url: string; name: string }) => {
    const redis = createRedis(options.url, { name: options.name });
    fastify.decorate<RedisClient>('redis', redis);
    fastify.addHook('onClose', async () => {
      await redis.quit().catch(() => redis.disconnect());
    });
  },
  { name: 'redis' },
);
