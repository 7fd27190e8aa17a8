import { connectNats, type NatsConnection } from '@seckill/platform';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    nats: NatsConnection;
  }
}

/** The node's NATS connection; drained (pending subscriptions flushed) on close. */
export default fp(
  async (fastify: FastifyInstance, options: { url: string; name: string }) => {
    const nats = await connectNats({ url: options.url, name: options.name });
    fastify.decorate('nats', nats);
    fastify.addHook('onClose', async () => {
      if (!nats.isClosed()) await nats.drain().catch(() => nats.close());
    });
  },
  { name: 'nats' },
);
