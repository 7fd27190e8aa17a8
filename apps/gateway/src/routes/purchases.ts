import {
  CHALLENGE_HEADER,
  CHALLENGE_SOLUTION_HEADER,
  prequeueReceiptSchema,
  ticketReceiptSchema,
  ticketViewSchema,
} from '@seckill/contracts';
import { z } from 'zod';
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
      // The per-user and per-IP limits are checked inside the admission script: one Redis command per purchase.
      onRequest: fastify.authenticateUser,
      config: fastify.shedUnderPressure,
      schema: {
        summary: 'Take a numbered ticket for the sale (one per user; a repeat returns the same ticket)',
        description: [
          'Answered within about 2 s whatever Kafka, Redis or PostgreSQL are doing.',
          '202: a QUEUED ticket. You hold it and it will be called (push, or GET /api/tickets/:id): SUCCEEDED with an order,',
          'or FAILED with a reason (SOLD_OUT, ALREADY_ORDERED, or QUEUE_UNAVAILABLE when the order queue could not take it within',
          'the enqueue deadline: its stock returned and you may buy again), or CANCELLED if you cancel it.',
          "200: this user's ticket of the sale, already final. A shopper who holds a ticket always gets it back, never 410 or 429.",
          '503 SERVICE_UNAVAILABLE: the ticket counter could not be reached in time; nothing was reserved, retry after Retry-After.',
          '410 SOLD_OUT, 429 QUEUE_FULL / RATE_LIMITED, 403 SALE_NOT_ACTIVE: refused, nothing reserved.',
          'A lottery sale (prequeueOpensAt): before the start, 202 PREQUEUED (the place is drawn at the start; ask again then for',
          'the drawn ticket). A sale with bot friction (challengeDifficulty > 0): 428 CHALLENGE_REQUIRED without a solved challenge',
          '(x-seckill-challenge, x-seckill-solution), 403 CHALLENGE_INVALID for a forged, foreign, expired, unsolved or used one.',
        ].join(' '),
        tags: ['shopping'],
        security: userSecurity,
        params: saleParamsSchema,
        headers: purchaseHeadersSchema,
        response: {
          200: ticketViewSchema,
          202: z.union([ticketReceiptSchema, prequeueReceiptSchema]),
          ...errorResponses(401, 403, 404, 410, 428, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const challenge = request.headers[CHALLENGE_HEADER];
      const solution = request.headers[CHALLENGE_SOLUTION_HEADER];
      const result = await admission.admit({
        saleId: request.params.saleId,
        userId: request.userId,
        clientIp: request.ip,
        ...(challenge ? { challenge: { challenge, solution: solution ?? '' } } : {}),
      });
      request.admissionKind = result.kind === 'admitted' ? 'admitted' : 'existing';
      // Already decided: answer the full ticket (order id or failure reason), as polling would.
      if (result.kind === 'existing-final') return reply.code(200).send(await tickets.view(result.ticketId, request.userId));
      return reply.code(202).send(result.receipt);
    },
  );
};
