import { purchaseChallengeSchema, SeckillError } from '@seckill/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Clock } from '../domain/clock';
import type { PurchaseChallenges } from '../domain/purchase-challenges';
import type { SaleCatalog } from '../domain/sale-catalog';
import { errorResponses, saleParamsSchema, userSecurity } from './schemas';

export const challengeRoutes: FastifyPluginAsyncZod<{
  sales: Pick<SaleCatalog, 'runtime'>;
  challenges: Pick<PurchaseChallenges, 'issue'>;
  clock: Clock;
}> = async (fastify, { sales, challenges, clock }) => {
  fastify.post(
    '/api/sales/:saleId/challenge',
    {
      onRequest: [fastify.authenticateUser, fastify.limitShopper],
      schema: {
        summary:
          'A purchase challenge for you and this sale (a sale with bot friction), issued only once the sale or its pre-queue is open',
        description: [
          'Find a decimal number n such that SHA-256("<challenge>.<n>") starts with `difficulty` zero bits (about 2^difficulty',
          'hashes), then buy with headers x-seckill-challenge and x-seckill-solution. Good for one ticket or pre-queue place, until',
          'expiresAt. 403 SALE_NOT_ACTIVE before the sale (or its pre-queue) opens and after it ends; 409 CONFLICT for a sale',
          'without bot friction.',
        ].join(' '),
        tags: ['shopping'],
        security: userSecurity,
        params: saleParamsSchema,
        response: { 201: purchaseChallengeSchema, ...errorResponses(401, 403, 404, 409, 429, 503) },
      },
    },
    async (request, reply) => {
      const { saleId } = request.params;
      const sale = await sales.runtime(saleId);
      if (!sale) throw new SeckillError('SALE_NOT_FOUND', `No sale ${saleId}`);
      if (sale.challengeDifficulty === 0) throw new SeckillError('CONFLICT', 'This sale needs no purchase challenge: buy directly');
      const now = clock();
      const opensAt = sale.prequeueOpensAtMs ?? sale.startsAtMs;
      // The purchase path is closed before the start: no challenge, so no purchase can be prepared in advance.
      if (now < opensAt || now >= sale.endsAtMs)
        throw new SeckillError('SALE_NOT_ACTIVE', 'Challenges are issued only while the sale (or its pre-queue) is open');
      return reply.code(201).send(challenges.issue({ saleId, userId: request.userId, difficulty: sale.challengeDifficulty }));
    },
  );
};
