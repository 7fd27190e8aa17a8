import { z } from 'zod';
import { MAX_CHALLENGE_DIFFICULTY, MAX_SALE_STOCK, saleStateSchema, saleViewSchema } from './sales';

/** A sale as the admin list shows it: PostgreSQL's figures (the truth), not Redis's. */
export const adminSaleSchema = z.object({
  id: z.string(),
  name: z.string(),
  initialStock: z.number().int(),
  /** What PostgreSQL can still sell. */
  stock: z.number().int(),
  queueCapacity: z.number().int(),
  startsAt: z.string(),
  endsAt: z.string(),
  prequeueOpensAt: z.string().optional(),
  challengeDifficulty: z.number().int(),
  createdAt: z.string(),
  state: saleStateSchema,
});
export type AdminSale = z.infer<typeof adminSaleSchema>;

export const adminSaleListSchema = z.object({ sales: z.array(adminSaleSchema) });

/** `PATCH /api/admin/sales/:saleId`: any of these, before the sale starts. */
export const updateSaleBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    stock: z.number().int().positive().max(MAX_SALE_STOCK),
    queueCapacity: z.number().int().positive().max(MAX_SALE_STOCK),
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.iso.datetime({ offset: true }),
    /** Open a lottery's pre-queue then; `null` turns the lottery off. */
    prequeueOpensAt: z.iso.datetime({ offset: true }).nullable(),
    challengeDifficulty: z.number().int().min(0).max(MAX_CHALLENGE_DIFFICULTY),
  })
  .partial()
  .strict()
  .refine((change) => Object.keys(change).length > 0, {
    message: 'give at least one of name, stock, queueCapacity, startsAt, endsAt, prequeueOpensAt, challengeDifficulty',
  });
export type UpdateSaleBody = z.infer<typeof updateSaleBodySchema>;

/** `POST /api/admin/sales/:saleId/end`. */
export const endSaleResultSchema = z.object({
  sale: saleViewSchema,
  endedAt: z.string(),
  /** Tickets still queued when the sale ended: the order workers decide each as usual (they hold stock tokens). */
  queuedTickets: z.number().int().nonnegative(),
});
export type EndSaleResult = z.infer<typeof endSaleResultSchema>;

const perReason = z.record(z.string(), z.number());

/** One look at a sale for operators (`GET /api/admin/sales/:saleId/stats`, and each event of its stream). */
export const saleStatsSchema = z.object({
  at: z.string(),
  sale: saleViewSchema,
  stock: z.object({
    initial: z.number().int(),
    /** Stock tokens left for admission. */
    redis: z.number().int(),
    /** What PostgreSQL can still sell (the truth; behind Redis by the tickets being processed). */
    postgres: z.number().int(),
  }),
  orders: z.object({ total: z.number().int(), pendingPayment: z.number().int(), paid: z.number().int(), expired: z.number().int() }),
  queue: z.object({ depth: z.number().int(), capacity: z.number().int() }),
  /** Per second, over the last `windowSeconds` complete seconds, from every gateway, worker and push node. */
  rates: z.object({
    windowSeconds: z.number().int(),
    admissions: z.number(),
    orders: z.number(),
    /** Refused purchases by error code (SOLD_OUT, QUEUE_FULL, RATE_LIMITED, SALE_NOT_ACTIVE, SERVICE_UNAVAILABLE). */
    refusals: perReason,
    deliveries: z.number(),
  }),
  /** Since the sale's first activity. */
  totals: z.object({
    admitted: z.number().int(),
    /** Purchases answered with the shopper's ticket again. */
    repeated: z.number().int(),
    refused: perReason,
    ordered: z.number().int(),
    /** Tickets the workers failed, by reason. */
    failed: perReason,
    delivered: z.number().int(),
  }),
  push: z.object({
    nodes: z.number().int(),
    /** WebSocket sessions on every push node (all sales). */
    sessions: z.number().int(),
    /** Upper bound of the 99th percentile of this sale's live deliveries in the window (event decided → socket write); null without deliveries. */
    deliveryP99Ms: z.number().nullable(),
  }),
  workers: z.object({
    count: z.number().int(),
    /** Orders/s the workers report (all sales). */
    ordersPerSecond: z.number(),
    /** Messages of the orders topic not yet committed by the workers' group (all sales); null when Kafka could not be asked. */
    lag: z.number().int().nullable(),
  }),
});
export type SaleStats = z.infer<typeof saleStatsSchema>;

/** Bounds (ms) of the push delivery latency counted per sale (`delivery_ms:<bound>`); the last catches the rest. */
export const DELIVERY_LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, Number.POSITIVE_INFINITY] as const;
