import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { ConnectionHandler } from '../domain/connection-handler';

const READINESS_TIMEOUT_MS = 1_000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer in ${READINESS_TIMEOUT_MS} ms`)), READINESS_TIMEOUT_MS).unref()),
  ]);
}

/** `GET /healthz` (alive), `GET /readyz` (NATS + Redis reachable, not draining), `GET /metrics`. */
export default async function healthRoutes(fastify: FastifyInstance, options: { connections: ConnectionHandler; metrics: Registry }) {
  fastify.get('/healthz', async () => ({ status: 'ok' }));

  fastify.get('/readyz', async (_request, reply) => {
    if (options.connections.draining) return reply.code(503).send({ status: 'draining' });
    const checks = await Promise.allSettled([
      withTimeout(fastify.redis.ping(), 'redis'),
      withTimeout(fastify.nats.isClosed() ? Promise.reject(new Error('nats connection closed')) : fastify.nats.flush(), 'nats'),
    ]);
    const [redis, nats] = checks.map((check) => (check.status === 'fulfilled' ? 'ok' : String(check.reason)));
    const ready = checks.every((check) => check.status === 'fulfilled');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', redis, nats });
  });

  fastify.get('/metrics', async (_request, reply) => {
    return reply.type(options.metrics.contentType).send(await options.metrics.metrics());
  });
}
