import { connectNats, type NatsConnection } from '@seckill/platform';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    nats: NatsConnection;
  }
}

/** NATS, for the ticket events push sessions listen to; drained on close so nothing published is lost. */
export default fp<{ url: string }>(
  async (fastify, options) => {
    const nats = await connectNats({ url: options.url, name: 'gateway' });
    fastify.decorate('nats', nats);
    fastify.addHook('onClose', async () => {
      await nats.drain().catch(() => nats.close());
    });
  },
  { name: 'nats' },
);
