import type { OrderView, SaleView, TicketUpdate } from '@seckill/client';

/** "3 s", "2 min 05 s", "1 h 02 min": short enough for a phone. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  if (minutes > 0) return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
  return `${seconds} s`;
}

/** The bank-counter line under the ticket number. */
export function describeWait(position: number | undefined, estimatedWaitMs: number | undefined): string {
  const ahead =
    position === undefined
      ? 'Waiting to be called'
      : position === 0
        ? 'You are next'
        : `${position} ${position === 1 ? 'person' : 'people'} ahead`;
  if (estimatedWaitMs === undefined) return ahead;
  return `${ahead}, about ${formatDuration(estimatedWaitMs)}`;
}

export interface Countdown {
  label: string;
  /** Which phase the shopper sees; `SOLD_OUT` and `ENDED` need no clock. */
  phase: 'UPCOMING' | 'PREQUEUE' | 'ACTIVE' | 'SOLD_OUT' | 'ENDED';
}

type SaleTimes = Pick<SaleView, 'startsAt' | 'endsAt' | 'state'> & Partial<Pick<SaleView, 'prequeueOpensAt'>>;

/** The sale clock, from the sale's times and the server's view of its state. */
export function saleCountdown(sale: SaleTimes, now: number): Countdown {
  const startsAt = Date.parse(sale.startsAt);
  const endsAt = Date.parse(sale.endsAt);
  const prequeueOpensAt = sale.prequeueOpensAt === undefined ? undefined : Date.parse(sale.prequeueOpensAt);
  if (sale.state === 'SOLD_OUT') return { phase: 'SOLD_OUT', label: 'Sold out' };
  if (sale.state === 'ENDED' || now >= endsAt) return { phase: 'ENDED', label: 'The sale has ended' };
  if (prequeueOpensAt !== undefined && now < prequeueOpensAt)
    return { phase: 'UPCOMING', label: `The pre-queue opens in ${formatDuration(prequeueOpensAt - now)}` };
  if (prequeueOpensAt !== undefined && now < startsAt)
    return { phase: 'PREQUEUE', label: `Pre-queue open · the order is drawn in ${formatDuration(startsAt - now)}` };
  if (now < startsAt) return { phase: 'UPCOMING', label: `Starts in ${formatDuration(startsAt - now)}` };
  return { phase: 'ACTIVE', label: `Ends in ${formatDuration(endsAt - now)}` };
}

/** The line under "you are in the pre-queue". */
export function describePrequeue(prequeueSize: number, drawsInMs: number): string {
  const others = `${prequeueSize} ${prequeueSize === 1 ? 'shopper' : 'shoppers'} in the pre-queue`;
  return drawsInMs > 0 ? `${others} · drawn in ${formatDuration(drawsInMs)}` : `${others} · drawing…`;
}

/** What the order card says: pay before the deadline, then paid or expired. */
export function orderMessage(order: Pick<OrderView, 'status' | 'expiresAt'>, now: number): { headline: string; deadline: string } {
  switch (order.status) {
    case 'PAID':
      return { headline: 'Paid. Thank you!', deadline: '' };
    case 'EXPIRED':
      return { headline: 'Expired: the payment window closed and the item went back on sale.', deadline: '' };
    default: {
      const left = order.expiresAt === undefined ? undefined : Date.parse(order.expiresAt) - now;
      if (left === undefined) return { headline: 'Waiting for your payment.', deadline: '' };
      if (left <= 0) return { headline: 'The payment window has closed.', deadline: 'Checking…' };
      return { headline: 'Waiting for your payment.', deadline: `Pay within ${formatDuration(left)}` };
    }
  }
}

/** What to tell the shopper when a purchase is refused, from the SDK error's code. */
export function purchaseErrorMessage(
  error: { code: string; message: string; retryAfterMs?: number | undefined },
  sale: Pick<SaleView, 'startsAt' | 'endsAt' | 'state'> | undefined,
  now: number,
): string {
  const retry = error.retryAfterMs !== undefined ? ` Try again in ${formatDuration(error.retryAfterMs)}.` : ' Try again in a moment.';
  switch (error.code) {
    case 'SOLD_OUT':
      return 'Sold out: every item has been taken.';
    case 'QUEUE_FULL':
      return `The queue is full right now.${retry}`;
    case 'RATE_LIMITED':
      return `Too many attempts.${retry}`;
    case 'SALE_NOT_ACTIVE': {
      const phase = sale ? saleCountdown(sale, now).phase : undefined;
      if (phase === 'UPCOMING' && sale)
        return `The sale has not started yet: it opens in ${formatDuration(Date.parse(sale.startsAt) - now)}.`;
      if (phase === 'ENDED' || phase === 'SOLD_OUT') return 'The sale has ended.';
      return 'The sale is not open right now.';
    }
    case 'SALE_NOT_FOUND':
      return 'This sale does not exist.';
    case 'CHALLENGE_REQUIRED':
    case 'CHALLENGE_INVALID':
      return 'We could not check that you are not a bot. Please try again.';
    case 'UNAUTHORIZED':
      return 'Your session has expired: please sign in again.';
    case 'NETWORK_ERROR':
      return 'We could not reach the shop. Check your connection and try again.';
    case 'SERVICE_UNAVAILABLE':
      return `The ticket counter is busy: nothing was reserved for you.${retry}`;
    default:
      return error.message || 'Something went wrong. Please try again.';
  }
}

/** The headline once the ticket has been called. */
export function resultMessage(update: Pick<TicketUpdate, 'status' | 'reason' | 'orderId'>): string {
  switch (update.status) {
    case 'SUCCEEDED':
      return 'It is yours! Your order is placed.';
    case 'CANCELLED':
      return 'You left the queue.';
    case 'FAILED':
      if (update.reason === 'SOLD_OUT') return 'Sorry: it sold out before your number was called.';
      if (update.reason === 'ALREADY_ORDERED') return 'You already have an order in this sale.';
      if (update.reason === 'QUEUE_UNAVAILABLE')
        return 'Sorry: the queue could not take your order in time. Nothing was charged; you can try again.';
      return 'Sorry: your order could not be completed.';
    default:
      return 'Waiting to be called…';
  }
}
