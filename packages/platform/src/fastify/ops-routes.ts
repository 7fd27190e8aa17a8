import type { FastifyPluginAsync, FastifySchema } from 'fastify';
import fp from 'fastify-plugin';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { probeDependencies } from '../readiness';

export const healthResponseSchema = z.object({ status: z.literal('ok') });
export const readinessResponseSchema = z.object({
  status: z.enum(['ready', 'not ready', 'draining']),
  /** Each dependency the process needs, by name. Why one is down goes to the log, not to anonymous callers. */
  checks: z.record(z.string(), z.enum(['up', 'down'])),
});
export type ReadinessResponse = z.infer<typeof readinessResponseSchema>;

export interface OpsRoutesOptions {
  /** What `/metrics` serves. */
  registry: Registry;
  /** The dependencies that must answer for the process to take traffic; a probe that throws or hangs is down. */
  probes: Record<string, () => unknown>;
  /** While true, `/readyz` answers 503 `draining` whatever the probes say (the process is shutting down). */
  draining?: () => boolean;
  probeTimeoutMs?: number;
}

// Probes and scrapes come every few seconds: out of the info log. The payloads are tiny, so they are
// serialised with JSON.stringify whatever compiler the app uses (the zod schemas are for OpenAPI).
const opsRoute = { logLevel: 'warn' as const, serializerCompiler: () => (data: unknown) => JSON.stringify(data) };
// `summary` and `tags` are @fastify/swagger's (the gateway documents these routes in its OpenAPI document).
const documented = (schema: FastifySchema & { summary: string; tags: string[] }): FastifySchema => schema;

/**
 * `GET /healthz` (alive), `GET /readyz` (every dependency answers: 200, else 503) and `GET /metrics`
 * (Prometheus): one implementation and one response shape for every Seckill app.
 */
const opsRoutes: FastifyPluginAsync<OpsRoutesOptions> = async (fastify, options) => {
  fastify.get(
    '/healthz',
    { ...opsRoute, schema: documented({ summary: 'The process is alive', tags: ['ops'], response: { 200: healthResponseSchema } }) },
    async () => ({ status: 'ok' as const }),
  );

  fastify.get(
    '/readyz',
    {
      ...opsRoute,
      schema: documented({
        summary: `Ready for traffic: ${Object.keys(options.probes).join(', ') || 'nothing'} reachable (503 otherwise, or while draining)`,
        tags: ['ops'],
        response: { 200: readinessResponseSchema, 503: readinessResponseSchema },
      }),
    },
    async (request, reply) => {
      const outcomes = await probeDependencies(options.probes, options.probeTimeoutMs);
      const checks: ReadinessResponse['checks'] = {};
      for (const [name, outcome] of Object.entries(outcomes)) {
        checks[name] = outcome.up ? 'up' : 'down';
        if (!outcome.up) request.log.warn({ dependency: name, error: outcome.error }, 'readiness probe failed');
      }
      const status: ReadinessResponse['status'] = options.draining?.()
        ? 'draining'
        : Object.values(checks).every((check) => check === 'up')
          ? 'ready'
          : 'not ready';
      return reply.code(status === 'ready' ? 200 : 503).send({ status, checks } satisfies ReadinessResponse);
    },
  );

  fastify.get('/metrics', { ...opsRoute, schema: documented({ summary: 'Prometheus metrics', tags: ['ops'] }) }, async (_request, reply) =>
    reply.type(options.registry.contentType).send(await options.registry.metrics()),
  );
};

export default fp(opsRoutes, { name: 'ops-routes' });
