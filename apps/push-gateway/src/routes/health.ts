import { probeDependencies } from '@seckill/platform';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { ConnectionHandler } from '../domain/connection-handler';

/** `GET /healthz` (alive), `GET /readyz` (NATS + Redis reachable, not draining), `GET /metrics`. */
export default async function healthRoutes(fastify: FastifyInstance, options: { connections: ConnectionHandler; metrics: Registry }) {
  fastify.get('/healthz', async () => ({ status: 'ok' }));

  fastify.get('/readyz', async (_request, reply) => {
    if (options.connections.draining) return reply.code(503).send({ status: 'draining' });
    const outcomes = await probeDependencies({
      redis: () => fastify.redis.ping(),
      nats: () => (fastify.nats.isClosed() ? Promise.reject(new Error('nats connection closed')) : fastify.nats.flush()),
    });
    const [redis, nats] = [outcomes.redis, outcomes.nats].map((outcome) => (outcome.up ? 'ok' : outcome.error));
    const ready = outcomes.redis.up && outcomes.nats.up;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', redis, nats });
  });

  fastify.get('/metrics', async (_request, reply) => {
    return reply.type(options.metrics.contentType).send(await options.metrics.metrics());
  });
}
