import { createHash, timingSafeEqual } from 'node:crypto';
import { SeckillError } from '@seckill/contracts';
import { createUserTokenVerifier } from '@seckill/platform';
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated shopper (JWT `sub`); '' before authentication. */
    userId: string;
  }
  interface FastifyInstance {
    authenticateUser: onRequestAsyncHookHandler;
    authenticateAdmin: onRequestAsyncHookHandler;
  }
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, token] = header.split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : undefined;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time comparison that also hides the expected length (both sides are hashed first). */
export function safeEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export default fp<{ authSecret: string; adminToken: string }>(
  async (fastify, options) => {
    const verifyUserToken = createUserTokenVerifier(options.authSecret);
    fastify.decorateRequest('userId', '');

    fastify.decorate('authenticateUser', async (request: FastifyRequest) => {
      const token = bearerToken(request);
      if (!token) throw new SeckillError('UNAUTHORIZED', 'Missing bearer token: send Authorization: Bearer <user JWT>');
      try {
        request.userId = verifyUserToken(token).userId;
      } catch {
        throw new SeckillError('UNAUTHORIZED', 'Invalid or expired user token');
      }
    });

    fastify.decorate('authenticateAdmin', async (request: FastifyRequest) => {
      const token = bearerToken(request);
      if (!token || !safeEqual(token, options.adminToken)) {
        throw new SeckillError('UNAUTHORIZED', 'Admin routes need Authorization: Bearer <ADMIN_TOKEN>');
      }
    });
  },
  { name: 'auth' },
);
