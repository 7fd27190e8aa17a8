import { probeDependencies } from '@seckill/platform';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const readinessSchema = z.object({
  status: z.enum(['ready', 'not ready']),
  checks: z.record(z.string(), z.enum(['up', 'down'])),
});

export const healthRoutes: FastifyPluginAsyncZod = async (fastify) => {
  fastify.get(
    '/healthz',
    { schema: { summary: 'The process is alive', tags: ['ops'], response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  fastify.get(
    '/readyz',
    {
      schema: {
        summary: 'Redis, Kafka, PostgreSQL and NATS are reachable (503 otherwise)',
        tags: ['ops'],
        response: { 200: readinessSchema, 503: readinessSchema },
      },
    },
    async (_request, reply) => {
      const outcomes = await probeDependencies({
        redis: () => fastify.redis.ping(),
        kafka: () => {
          if (!fastify.orderProducer.connected()) throw new Error('producer not connected');
        },
        postgres: () => fastify.prisma.$queryRaw`SELECT 1`,
        nats: () => {
          if (fastify.nats.isClosed()) throw new Error('closed');
          return fastify.nats.flush();
        },
      });
      const entries = Object.entries(outcomes).map(([name, outcome]) => [name, outcome.up ? 'up' : 'down'] as const);
      const checks = Object.fromEntries(entries);
      const ready = entries.every(([, state]) => state === 'up');
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
    },
  );

  fastify.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['ops'] } }, async (_request, reply) => {
    const registry = fastify.metrics.registry;
    return reply.type(registry.contentType).send(await registry.metrics());
  });
};
