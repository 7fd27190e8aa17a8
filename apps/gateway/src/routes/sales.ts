import { createSaleBodySchema, SeckillError, saleViewSchema } from '@seckill/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { SaleCatalog } from '../domain/sale-catalog';
import { adminSecurity, errorResponses, saleParamsSchema } from './schemas';

export const salesRoutes: FastifyPluginAsyncZod<{ sales: SaleCatalog }> = async (fastify, { sales }) => {
  fastify.post(
    '/api/admin/sales',
    {
      onRequest: fastify.authenticateAdmin,
      schema: {
        summary: 'Create a sale and load it for admission',
        tags: ['admin'],
        security: adminSecurity,
        body: createSaleBodySchema,
        response: { 201: saleViewSchema, ...errorResponses(400, 401, 413) },
      },
    },
    async (request, reply) => reply.code(201).send(await sales.create(request.body)),
  );

  fastify.get(
    '/api/sales/:saleId',
    {
      schema: {
        summary: 'A sale with its state, remaining stock and queue depth',
        tags: ['sales'],
        params: saleParamsSchema,
        response: { 200: saleViewSchema, ...errorResponses(404, 503) },
      },
    },
    async (request, reply) => {
      const view = await sales.view(request.params.saleId);
      if (!view) throw new SeckillError('SALE_NOT_FOUND', `No sale ${request.params.saleId}`);
      // The same for everyone and polled by every waiting page: a cache in front may serve it for a second.
      void reply.header('cache-control', 'public, max-age=1');
      return view;
    },
  );
};
