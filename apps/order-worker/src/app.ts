import fp from 'fastify-plugin';
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import type { ReadinessChecks } from './worker';

export interface AppOptions {
  registry: Registry;
  readiness: () => Promise<ReadinessChecks>;
}

/** The worker's HTTP face: liveness, readiness (every dependency reachable), Prometheus metrics. */
const app: FastifyPluginAsync<AppOptions> = async (fastify, options) => {
  // Probes and scrapes arrive every few seconds: keep them out of the info log.
  const quiet = { logLevel: 'warn' as const };

  fastify.get('/healthz', quiet, async () => ({ status: 'ok' }));

  fastify.get('/readyz', quiet, async (_request, reply) => {
    const checks = await options.readiness();
    const ready = Object.values(checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });

  fastify.get('/metrics', quiet, async (_request, reply) => {
    return reply.type(options.registry.contentType).send(await options.registry.metrics());
  });
};

export default fp(app, { name: 'order-worker-app' });
