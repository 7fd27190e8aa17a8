import { userIdSchema } from '@seckill/contracts';
import { createUserTokenSigner } from '@seckill/platform';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';

const loginBodySchema = z.object({ name: userIdSchema }).strict();

/**
 * `POST /demo/login { name }` -> a user JWT whose subject is the name: no password,
 * it is a demo. `GET /config.json`: what the page needs to talk to the system.
 */
export const demoRoutes: FastifyPluginAsync<{
  authSecret: string;
  tokenTtlMs: number;
  pushUrls: readonly string[];
  demoSaleId: string | undefined;
  /** Whether `POST /demo/login` exists at all. */
  demoLogin: boolean;
}> = async (app, options) => {
  const signUserToken = createUserTokenSigner(options.authSecret, { expiresInMs: options.tokenTtlMs });

  if (options.demoLogin)
    app.post('/demo/login', async (request, reply) => {
      const body = loginBodySchema.safeParse(request.body);
      if (!body.success) {
        return reply.code(400).send({
          error: { code: 'INVALID_INPUT', message: 'name must be 1-64 characters of A-Z a-z 0-9 _ -' },
        });
      }
      return { userId: body.data.name, token: signUserToken(body.data.name), expiresInMs: options.tokenTtlMs };
    });

  app.get('/config.json', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { pushUrls: options.pushUrls, saleId: options.demoSaleId ?? null, demoLogin: options.demoLogin };
  });
};
