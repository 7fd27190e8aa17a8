import { createRedis, type Redis } from '@seckill/platform';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis;
  }
}

/** The node's Redis connection (ticket snapshots); quit on close. */
export default fp(
  async (fastify: FastifyInstance, options: { url: string; name: string }) => {
    const redis = createRedis(options.url, { name: options.name });
    fastify.decorate('redis', redis);
    fastify.addHook('onClose', async () => {
      await redis.quit().catch(() => redis.disconnect());
    });
  },
  { name: 'redis' },
);
