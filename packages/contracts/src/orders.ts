import { z } from 'zod';
import { userIdSchema } from './tickets';

/**
 * Kafka message value on `seckill.orders`: one admitted purchase. `v` versions
 * the payload so old messages stay readable after a change.
 */
export const orderRequestedSchema = z.object({
  v: z.literal(1),
  ticketId: z.string().min(1),
  ticketNumber: z.number().int().positive(),
  saleId: z.uuid(),
  userId: userIdSchema,
  requestedAt: z.number().int().nonnegative(),
});
export type OrderRequested = z.infer<typeof orderRequestedSchema>;

export const orderStatusSchema = z.enum(['PENDING_PAYMENT', 'PAID', 'EXPIRED']);
export type OrderStatusName = z.infer<typeof orderStatusSchema>;

/**
 * Push message (NATS user subject, forwarded as-is over WebSocket) when an order
 * changes after its ticket succeeded: paid, or expired unpaid (stock returned).
 * The ticket keeps its one final state (`SUCCEEDED`); this is a separate event.
 */
export const orderEventSchema = z.object({
  type: z.literal('order'),
  orderId: z.string(),
  ticketId: z.string(),
  saleId: z.string(),
  status: z.enum(['PAID', 'EXPIRED']),
  at: z.number().int().nonnegative(),
});
export type OrderEvent = z.infer<typeof orderEventSchema>;

/** An order as the HTTP API returns it (`POST /api/orders/:orderId/pay`). */
export const orderViewSchema = z.object({
  orderId: z.string(),
  saleId: z.string(),
  ticketId: z.string(),
  status: orderStatusSchema,
  paidAt: z.string().optional(),
  expiresAt: z.string().optional(),
});
export type OrderView = z.infer<typeof orderViewSchema>;
