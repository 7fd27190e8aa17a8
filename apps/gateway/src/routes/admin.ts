import sse from '@fastify/sse';
import {
  adminSaleListSchema,
  adminSaleSchema,
  endSaleResultSchema,
  saleStatsSchema,
  SeckillError,
  updateSaleBodySchema,
} from '@seckill/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { SaleAdmin } from '../domain/sale-admin';
import type { SaleStatsReader } from '../domain/sale-stats';
import { adminSecurity, errorResponses, saleParamsSchema } from './schemas';

export interface AdminRoutesOptions {
  admin: SaleAdmin;
  stats: SaleStatsReader;
  /** How often the stats stream sends a new look at the sale. */
  streamIntervalMs: number;
}

/** Operators steer and watch sales: list, change before the start, end early, statistics (also as a stream). */
export const adminRoutes: FastifyPluginAsyncZod<AdminRoutesOptions> = async (fastify, { admin, stats, streamIntervalMs }) => {
  await fastify.register(sse, { heartbeatInterval: 15_000 });
  // Streams end when the gateway shuts down, or close() would wait for them forever.
  const shutdown = new AbortController();
  fastify.addHook('preClose', async () => shutdown.abort());
  const admin401 = { onRequest: fastify.authenticateAdmin };
  const readStats = async (saleId: string) => {
    const sale = await stats.read(saleId);
    if (!sale) throw new SeckillError('SALE_NOT_FOUND', `No sale ${saleId}`);
    return sale;
  };

  fastify.get(
    '/api/admin/sales',
    {
      ...admin401,
      schema: {
        summary: "List sales, newest first (PostgreSQL's figures)",
        tags: ['admin'],
        security: adminSecurity,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
        response: { 200: adminSaleListSchema, ...errorResponses(400, 401) },
      },
    },
    async (request) => ({ sales: await admin.list(request.query.limit) }),
  );

  fastify.patch(
    '/api/admin/sales/:saleId',
    {
      ...admin401,
      schema: {
        summary: 'Change a sale before it starts',
        description:
          'Any of name, stock, queueCapacity, startsAt, endsAt. Refused with 409 SALE_ALREADY_STARTED once the sale has started, ' +
          'is about to (ADMIN_CHANGE_LEAD_MS), or anyone holds a ticket of it: a running sale can only be ended.',
        tags: ['admin'],
        security: adminSecurity,
        params: saleParamsSchema,
        body: updateSaleBodySchema,
        response: { 200: adminSaleSchema, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => admin.update(request.params.saleId, request.body),
  );

  fastify.post(
    '/api/admin/sales/:saleId/end',
    {
      ...admin401,
      schema: {
        summary: 'End a sale now',
        description:
          'From now on nobody new gets a ticket (403 SALE_NOT_ACTIVE); a shopper who holds one still gets it back. ' +
          'Tickets already queued are not cancelled: each already holds a stock token, and the order workers decide it as usual ' +
          '(SUCCEEDED with an order, or FAILED like any ticket may), so every ticket handed out still reaches one final state and the stock adds up. ' +
          'A sale that had not started ends before it starts. Idempotent.',
        tags: ['admin'],
        security: adminSecurity,
        params: saleParamsSchema,
        response: { 200: endSaleResultSchema, ...errorResponses(401, 404, 503) },
      },
    },
    async (request) => admin.end(request.params.saleId),
  );

  fastify.get(
    '/api/admin/sales/:saleId/stats',
    {
      ...admin401,
      schema: {
        summary:
          "A sale's statistics: stock in Redis and PostgreSQL, queue, admissions/s, orders/s, refusals by reason, push sessions and delivery p99, worker lag",
        tags: ['admin'],
        security: adminSecurity,
        params: saleParamsSchema,
        response: { 200: saleStatsSchema, ...errorResponses(401, 404, 503) },
      },
    },
    async (request) => readStats(request.params.saleId),
  );

  fastify.get(
    '/api/admin/sales/:saleId/stats/stream',
    {
      ...admin401,
      sse: 'only',
      schema: {
        summary: 'The same statistics as a stream (Server-Sent Events): one `stats` event per interval until the client leaves',
        description:
          "text/event-stream; each event's data is the JSON of GET /api/admin/sales/{saleId}/stats. The live dashboard reads it.",
        tags: ['admin'],
        security: adminSecurity,
        params: saleParamsSchema,
      },
    },
    async (request, reply) => {
      const { saleId } = request.params;
      // An unknown sale is a 404, before the stream starts.
      const first = await readStats(saleId);
      const log = request.log;
      async function* events() {
        let next: typeof first | undefined = first;
        while (reply.sse.isConnected && !shutdown.signal.aborted) {
          if (next) yield { event: 'stats', data: next };
          await sleep(streamIntervalMs, undefined, { signal: shutdown.signal }).catch(() => undefined);
          if (shutdown.signal.aborted || !reply.sse.isConnected) return;
          // A dependency down for a moment skips an event rather than ending the stream.
          next = await stats.read(saleId).catch((err: unknown) => {
            log.warn({ err, saleId }, 'could not read the sale statistics');
            return undefined;
          });
        }
      }
      await reply.sse.send(events());
    },
  );
};
