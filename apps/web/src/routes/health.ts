import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';

/** `/healthz` (alive), `/readyz` (the gateway behind `/api` answers), `/metrics`. */
export const healthRoutes: FastifyPluginAsync<{ gatewayUrl: string; registry: Registry }> = async (app, options) => {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    try {
      const response = await fetch(new URL('/healthz', options.gatewayUrl), { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return { status: 'ready' };
      return reply.code(503).send({ status: 'unavailable', gateway: `HTTP ${response.status}` });
    } catch (error) {
      return reply.code(503).send({ status: 'unavailable', gateway: error instanceof Error ? error.message : String(error) });
    }
  });

  app.get('/metrics', async (_request, reply) => {
    reply.type(options.registry.contentType);
    return options.registry.metrics();
  });
};
