import { ticketViewSchema } from '@seckill/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { TicketService } from '../domain/tickets';
import { errorResponses, ticketParamsSchema, userSecurity } from './schemas';

export const ticketRoutes: FastifyPluginAsyncZod<{ tickets: TicketService }> = async (fastify, { tickets }) => {
  const onRequest = [fastify.authenticateUser, fastify.limitShopper];

  fastify.get(
    '/api/tickets/:ticketId',
    {
      onRequest,
      schema: {
        summary: 'Your ticket, with its position and estimated wait while queued',
        tags: ['shopping'],
        security: userSecurity,
        params: ticketParamsSchema,
        response: { 200: ticketViewSchema, ...errorResponses(401, 404, 429) },
      },
    },
    async (request) => tickets.view(request.params.ticketId, request.userId),
  );

  fastify.delete(
    '/api/tickets/:ticketId',
    {
      onRequest,
      schema: {
        summary: 'Cancel your ticket while it is still queued; its stock token goes back to the sale',
        tags: ['shopping'],
        security: userSecurity,
        params: ticketParamsSchema,
        response: { 200: ticketViewSchema, ...errorResponses(401, 404, 409, 429) },
      },
    },
    async (request) => tickets.cancel(request.params.ticketId, request.userId),
  );
};
