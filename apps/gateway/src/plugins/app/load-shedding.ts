import underPressure from '@fastify/under-pressure';
import { errorBody } from '@seckill/contracts';
import type { FastifyReply } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by `shedUnderPressure` on the routes that refuse work while the event loop lags. */
    pressureHandler?: (request: unknown, reply: FastifyReply, type: string, value: number | undefined) => unknown;
  }
  interface FastifyInstance {
    /** Route config that answers 503 SERVICE_UNAVAILABLE with Retry-After while the process is overloaded. */
    shedUnderPressure: { pressureHandler: NonNullable<FastifyContextConfig['pressureHandler']> };
  }
}

/**
 * Load shedding (@fastify/under-pressure): while the event loop lags more than
 * `maxEventLoopDelayMs`, routes that opt in answer 503 at once, so a herd larger than the
 * machine gets fast refusals rather than answers later than the bound. Health, readiness and
 * metrics keep answering (the default handler lets every other route through).
 */
export default fp<{ maxEventLoopDelayMs: number; retryAfterSeconds?: number }>(
  async (fastify, options) => {
    const retryAfterSeconds = options.retryAfterSeconds ?? 1;
    if (options.maxEventLoopDelayMs > 0) {
      await fastify.register(underPressure, {
        maxEventLoopDelay: options.maxEventLoopDelayMs,
        sampleInterval: 50,
        pressureHandler: () => undefined,
      });
    }
    fastify.decorate('shedUnderPressure', {
      // under-pressure sends what the handler returns (and stops the request there).
      pressureHandler: (_request: unknown, reply: FastifyReply) => {
        fastify.metrics.countAdmission('shed');
        reply.code(503).header('retry-after', String(retryAfterSeconds));
        return errorBody('SERVICE_UNAVAILABLE', 'The shop is overloaded right now; nothing was reserved, try again');
      },
    });
  },
  { name: 'load-shedding' },
);
