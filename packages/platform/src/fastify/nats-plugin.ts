import fp from 'fastify-plugin';
import { connectNats, type NatsConnection } from '../nats';

declare module 'fastify' {
  interface FastifyInstance {
    nats: NatsConnection;
  }
}

/** `fastify.nats`; drained on close, so what was published (and pending subscriptions) is flushed first. */
export default fp<{ url: string; name: string }>(
  async (fastify, options) => {
    const nats = await connectNats({ url: options.url, name: options.name });
    fastify.decorate('nats', nats);
    fastify.addHook('onClose', async () => {
      if (!nats.isClosed()) await nats.drain().catch(() => nats.close());
    });
  },
  { name: 'nats' },
);
