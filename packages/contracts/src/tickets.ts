import { z } from 'zod';
import { USER_ID_PATTERN } from './names';

export const userIdSchema = z.string().regex(USER_ID_PATTERN, 'user id must be 1-64 characters of A-Z a-z 0-9 _ -');

export const ticketStatusSchema = z.enum(['QUEUED', 'SUCCEEDED', 'FAILED', 'CANCELLED']);
export type TicketStatus = z.infer<typeof ticketStatusSchema>;
export const FINAL_TICKET_STATUSES: readonly TicketStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/**
 * Why a ticket FAILED; stable like the error codes. SOLD_OUT: the stock was gone when the worker
 * got to it. ALREADY_ORDERED: this shopper already holds an order of the sale. SALE_NOT_FOUND: the
 * sale no longer exists. QUEUE_UNAVAILABLE: the order queue (Kafka) could not take it within the
 * enqueue deadline; nothing was reserved and the shopper may try again. REJECTED: the worker could
 * not read its message (dead-lettered).
 */
export const ticketFailureReasonSchema = z.enum(['SOLD_OUT', 'SALE_NOT_FOUND', 'ALREADY_ORDERED', 'QUEUE_UNAVAILABLE', 'REJECTED']);
export type TicketFailureReason = z.infer<typeof ticketFailureReasonSchema>;

/** A ticket as the HTTP API returns it (`GET /api/tickets/:ticketId`). */
export const ticketViewSchema = z.object({
  ticketId: z.string(),
  saleId: z.string(),
  ticketNumber: z.number().int().positive(),
  status: ticketStatusSchema,
  orderId: z.string().optional(),
  reason: z.string().optional(),
  position: z.number().int().nonnegative().optional(),
  estimatedWaitMs: z.number().int().nonnegative().optional(),
});
export type TicketView = z.infer<typeof ticketViewSchema>;

/** Answer to an admitted purchase (`202`). */
export const ticketReceiptSchema = z.object({
  ticketId: z.string(),
  ticketNumber: z.number().int().positive(),
  saleId: z.string(),
  status: z.literal('QUEUED'),
  position: z.number().int().nonnegative(),
  estimatedWaitMs: z.number().int().nonnegative(),
});
export type TicketReceipt = z.infer<typeof ticketReceiptSchema>;

/**
 * Push message (WebSocket) and NATS result event: the same shape, so the push
 * gateway forwards it without reshaping. `at` is when the state was decided
 * (epoch ms), used for delivery-latency metrics and to order duplicates.
 */
export const ticketEventSchema = z.object({
  type: z.literal('ticket'),
  ticketId: z.string(),
  saleId: z.string(),
  status: ticketStatusSchema,
  orderId: z.string().optional(),
  reason: z.string().optional(),
  at: z.number().int().nonnegative(),
});
export type TicketEvent = z.infer<typeof ticketEventSchema>;

/** The event announcing a ticket's state, decided at `at` (epoch ms); optional fields only when set. */
export function toTicketEvent(
  ticket: { ticketId: string; saleId: string; status: TicketStatus; orderId?: string | undefined; reason?: string | undefined },
  at: number,
): TicketEvent {
  return {
    type: 'ticket',
    ticketId: ticket.ticketId,
    saleId: ticket.saleId,
    status: ticket.status,
    ...(ticket.orderId ? { orderId: ticket.orderId } : {}),
    ...(ticket.reason ? { reason: ticket.reason } : {}),
    at,
  };
}

/**
 * Answer to a purchase during a sale's pre-queue (`202`): the shopper is in; their place is drawn
 * at `drawsAt` (the start, `drawsInMs` from the answer by the gateway's clock). Asking again after
 * it answers the drawn ticket, or, for a shopper the stock did not reach, as for anyone then.
 */
export const prequeueReceiptSchema = z.object({
  saleId: z.string(),
  status: z.literal('PREQUEUED'),
  drawsAt: z.string(),
  drawsInMs: z.number().int().nonnegative(),
  /** Shoppers in the pre-queue so far. */
  prequeueSize: z.number().int().nonnegative(),
});
export type PrequeueReceipt = z.infer<typeof prequeueReceiptSchema>;

/**
 * A purchase challenge (`POST /api/sales/:saleId/challenge`): for this user and sale, issued once
 * the sale (or its pre-queue) is open, good for one purchase until `expiresAt`. Solve it (see
 * challenge.ts), then buy with it in the `x-seckill-challenge` and `x-seckill-solution` headers.
 */
export const purchaseChallengeSchema = z.object({
  challenge: z.string(),
  /** Leading zero bits SHA-256(`<challenge>.<solution>`) must have. */
  difficulty: z.number().int().positive(),
  expiresAt: z.string(),
});
export type PurchaseChallenge = z.infer<typeof purchaseChallengeSchema>;
