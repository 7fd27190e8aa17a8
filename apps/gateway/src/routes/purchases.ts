import { ticketReceiptSchema, ticketViewSchema } from '@seckill/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Admission } from '../domain/admission';
import { errorResponses, purchaseHeadersSchema, saleParamsSchema, userSecurity } from './schemas';

export const purchaseRoutes: FastifyPluginAsyncZod<{ admission: Admission }> = async (fastify, { admission }) => {
  fastify.post(
    '/api/sales/:saleId/orders',
    {
      onRequest: [fastify.authenticateUser, fastify.limitShopper],
      schema: {
        summary: 'Take a numbered ticket for the sale (one per user; a repeat returns the same ticket)',
        description:
          '202 with a QUEUED ticket; 200 with the ticket when this user\'s ticket of the sale already has its final state.',
        tags: ['shopping'],
        security: userSecurity,
        params: saleParamsSchema,
        headers: purchaseHeadersSchema,
        response: {
          200: ticketViewSchema,
          202: ticketReceiptSchema,
          ...errorResponses(401, 403, 404, 410, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const result = await admission.admit({ saleId: request.params.saleId, userId: request.userId });
      if (result.kind === 'existing-final') {
        const { ticketId, ticketNumber, status } = result;
        return reply.code(200).send({ ticketId, ticketNumber, status, saleId: request.params.saleId });
      }
      return reply.code(202).send(result.receipt);
    },
  );
};
