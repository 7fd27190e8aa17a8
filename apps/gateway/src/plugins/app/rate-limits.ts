import rateLimit from '@fastify/rate-limit';
import { SeckillError } from '@seckill/contracts';
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /** Per-IP and per-user limits for shopper routes; runs after `authenticateUser`. */
    limitShopper: onRequestAsyncHookHandler;
  }
}

const WINDOW_MS = 60_000;

/** Redis-backed (shared by every gateway process) limits; a limit of 0 is off. */
export default fp<{ perUserPerMinute: number; perIpPerMinute: number }>(
  async (fastify, options) => {
    await fastify.register(rateLimit, {
      global: false,
      redis: fastify.redis,
      nameSpace: 'seckill:rate:',
      timeWindow: WINDOW_MS,
      skipOnError: true, // a Redis hiccup must not lock every shopper out
    });
    type Check = ReturnType<typeof fastify.createRateLimit>;
    const checks: Check[] = [];
    if (options.perIpPerMinute > 0) {
      checks.push(fastify.createRateLimit({ max: options.perIpPerMinute, keyGenerator: (request) => `ip:${request.ip}` }));
    }
    if (options.perUserPerMinute > 0) {
      checks.push(fastify.createRateLimit({ max: options.perUserPerMinute, keyGenerator: (request) => `user:${request.userId}` }));
    }

    fastify.decorate('limitShopper', async (request: FastifyRequest) => {
      if (checks.length === 0) return;
      const limits = await Promise.all(checks.map((check) => check(request)));
      const exceeded = limits.filter((limit) => !limit.isAllowed && limit.isExceeded);
      if (exceeded.length === 0) return;
      const retryAfterSeconds = Math.max(1, ...exceeded.map((limit) => (limit.isAllowed ? 0 : limit.ttlInSeconds)));
      throw new SeckillError('RATE_LIMITED', `Too many requests; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
    });
  },
  { name: 'rate-limits', dependencies: ['redis', 'auth'] },
);
