import { orderViewSchema } from '@seckill/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Payments } from '../domain/payments';
import { errorResponses, orderParamsSchema, userSecurity } from './schemas';

export const paymentRoutes: FastifyPluginAsyncZod<{ payments: Payments }> = async (fastify, { payments }) => {
  fastify.post(
    '/api/orders/:orderId/pay',
    {
      onRequest: [fastify.authenticateUser, fastify.limitShopper],
      schema: {
        summary: 'Pay your order while it awaits payment (paying a paid order again answers it as it is)',
        tags: ['shopping'],
        security: userSecurity,
        params: orderParamsSchema,
        response: { 200: orderViewSchema, ...errorResponses(401, 402, 404, 409, 429) },
      },
    },
    async (request) => payments.pay(request.params.orderId, request.userId),
  );

  fastify.get(
    '/api/orders/:orderId',
    {
      onRequest: [fastify.authenticateUser, fastify.limitShopper],
      schema: {
        summary: 'Your order: PENDING_PAYMENT until expiresAt, then PAID or EXPIRED',
        tags: ['shopping'],
        security: userSecurity,
        params: orderParamsSchema,
        response: { 200: orderViewSchema, ...errorResponses(401, 404, 429) },
      },
    },
    async (request) => payments.view(request.params.orderId, request.userId),
  );
};
