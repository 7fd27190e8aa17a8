import { SeckillError, type ErrorCode } from '@seckill/contracts';
import { createActivityRecorder, type RedisState } from '@seckill/redis-state';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the purchase route: a new ticket, or the shopper's own again. */
    admissionKind?: 'admitted' | 'existing';
    /** The code of the error the request failed with. */
    errorCode?: ErrorCode;
  }
}

const PURCHASE_ROUTE = '/api/sales/:saleId/orders';
/** Refusals counted per sale: answers about an existing sale (not bad tokens or unknown ids, which anyone can make up). */
const COUNTED_REFUSALS = new Set<ErrorCode>(['SOLD_OUT', 'QUEUE_FULL', 'RATE_LIMITED', 'SALE_NOT_ACTIVE', 'SERVICE_UNAVAILABLE']);

/**
 * Counts each purchase's outcome per sale (admitted, repeated, refused by code) for the admin
 * statistics; written to Redis once a second, so every gateway's count adds up there.
 */
export default fp<{ redisState: Pick<RedisState, 'recordSaleActivity'> }>(
  async (fastify, options) => {
    const recorder = createActivityRecorder({
      record: (saleId, second, counts) => options.redisState.recordSaleActivity(saleId, second, counts),
      onError: (err) => fastify.log.warn({ err }, 'could not record sale activity'),
    });
    fastify.addHook('onError', async (request, _reply, error) => {
      if (error instanceof SeckillError) request.errorCode = error.code;
    });
    fastify.addHook('onResponse', async (request, reply) => {
      if (request.routeOptions.url !== PURCHASE_ROUTE || request.method !== 'POST') return;
      const { saleId } = request.params as { saleId: string };
      if (reply.statusCode < 300) {
        recorder.count(saleId, request.admissionKind ?? 'existing');
        return;
      }
      // Load shedding answers 503 without an error.
      const code = request.errorCode ?? (reply.statusCode === 503 ? 'SERVICE_UNAVAILABLE' : undefined);
      if (code && COUNTED_REFUSALS.has(code)) recorder.count(saleId, `refused:${code}`);
    });
    fastify.addHook('onClose', async () => recorder.stop());
  },
  { name: 'sale-activity' },
);
