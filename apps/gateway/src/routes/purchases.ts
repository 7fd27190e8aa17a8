import { ticketReceiptSchema, ticketViewSchema } from '@seckill/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Admission } from '../domain/admission';
import type { TicketService } from '../domain/tickets';
import { errorResponses, purchaseHeadersSchema, saleParamsSchema, userSecurity } from './schemas';

export const purchaseRoutes: FastifyPluginAsyncZod<{ admission: Admission; tickets: Pick<TicketService, 'view'> }> = async (
  fastify,
  { admission, tickets },
) => {
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
      // Already decided: answer the full ticket (order id or failure reason), as polling would.
      if (result.kind === 'existing-final') return reply.code(200).send(await tickets.view(result.ticketId, request.userId));
      return reply.code(202).send(result.receipt);
    },
  );
};
