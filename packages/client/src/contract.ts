/**
 * The contract's runtime checks, without zod. The SDK ships to browsers where zod
 * would be most of the bundle (~450 KB); the types still come from @seckill/contracts
 * and every table here is typed against them, so a contract change fails to compile.
 * contract.test.ts checks these guards accept what the contract's zod schemas accept.
 */
import {
  errorCodes,
  isErrorCode,
  isRetriablePushClose,
  pushCloseCodes,
  type ErrorCode,
  type OrderEvent,
  type OrderView,
  type PrequeueReceipt,
  type PurchaseChallenge,
  type SaleState,
  type SaleView,
  type TicketEvent,
  type TicketReceipt,
  type TicketStatus,
  type TicketView,
} from '@seckill/contracts';

// Error codes and push close codes come from the contract's zod-free modules (errors.ts,
// push-protocol.ts), so importing them keeps zod out of the bundle.
export { isErrorCode, isRetriablePushClose };

export function isRetriableErrorCode(code: ErrorCode): boolean {
  return errorCodes[code].retriable;
}

const FINAL_BY_STATUS: Record<TicketStatus, boolean> = { QUEUED: false, SUCCEEDED: true, FAILED: true, CANCELLED: true };
const SALE_STATES: Record<SaleState, true> = { UPCOMING: true, PREQUEUE: true, ACTIVE: true, SOLD_OUT: true, ENDED: true };
const ORDER_STATUSES: Record<OrderView['status'], true> = { PENDING_PAYMENT: true, PAID: true, EXPIRED: true };
const ORDER_EVENT_STATUSES: Record<OrderEvent['status'], true> = { PAID: true, EXPIRED: true };

export const PUSH_CLOSE = pushCloseCodes;

export function isFinalStatus(status: TicketStatus): boolean {
  return FINAL_BY_STATUS[status];
}

type Fields = Record<string, unknown>;
const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isInt = (value: unknown, min: number): value is number => Number.isSafeInteger(value) && (value as number) >= min;
const optional = (value: unknown, check: (value: unknown) => boolean) => value === undefined || check(value);
const isTicketStatus = (value: unknown): value is TicketStatus => isString(value) && Object.hasOwn(FINAL_BY_STATUS, value);

function hasTicketFields(value: Fields): boolean {
  return (
    isString(value.ticketId) &&
    isString(value.saleId) &&
    isTicketStatus(value.status) &&
    optional(value.orderId, isString) &&
    optional(value.reason, isString)
  );
}

export function asTicketView(value: unknown): TicketView | undefined {
  if (!isObject(value) || !hasTicketFields(value) || !isInt(value.ticketNumber, 1)) return undefined;
  if (!optional(value.position, (v) => isInt(v, 0)) || !optional(value.estimatedWaitMs, (v) => isInt(v, 0))) return undefined;
  return value as unknown as TicketView;
}

export function asTicketReceipt(value: unknown): TicketReceipt | undefined {
  const ticket = asTicketView(value);
  if (!ticket || ticket.status !== 'QUEUED' || !isInt(ticket.position, 0) || !isInt(ticket.estimatedWaitMs, 0)) return undefined;
  return ticket as TicketReceipt;
}

export function asTicketEvent(value: unknown): TicketEvent | undefined {
  if (!isObject(value) || value.type !== 'ticket' || !hasTicketFields(value) || !isInt(value.at, 0)) return undefined;
  return value as unknown as TicketEvent;
}

export function asOrderEvent(value: unknown): OrderEvent | undefined {
  if (!isObject(value) || value.type !== 'order') return undefined;
  const { orderId, ticketId, saleId, status, at } = value;
  if (!isString(orderId) || !isString(ticketId) || !isString(saleId) || !isInt(at, 0)) return undefined;
  if (!isString(status) || !Object.hasOwn(ORDER_EVENT_STATUSES, status)) return undefined;
  return value as unknown as OrderEvent;
}

export function asSaleView(value: unknown): SaleView | undefined {
  if (!isObject(value) || !isString(value.id) || !isString(value.name)) return undefined;
  if (!isString(value.startsAt) || !isString(value.endsAt)) return undefined;
  if (!isString(value.state) || !Object.hasOwn(SALE_STATES, value.state)) return undefined;
  const counts = [
    value.initialStock,
    value.remainingStock,
    value.queueCapacity,
    value.queueDepth,
    value.prequeueSize,
    value.challengeDifficulty,
  ];
  if (!counts.every((count) => Number.isSafeInteger(count)) || !optional(value.prequeueOpensAt, isString)) return undefined;
  return value as unknown as SaleView;
}

export function asPrequeueReceipt(value: unknown): PrequeueReceipt | undefined {
  if (!isObject(value) || value.status !== 'PREQUEUED' || !isString(value.saleId) || !isString(value.drawsAt)) return undefined;
  if (!isInt(value.drawsInMs, 0) || !isInt(value.prequeueSize, 0)) return undefined;
  return value as unknown as PrequeueReceipt;
}

export function asPurchaseChallenge(value: unknown): PurchaseChallenge | undefined {
  if (!isObject(value) || !isString(value.challenge) || !isInt(value.difficulty, 1) || !isString(value.expiresAt)) return undefined;
  return value as unknown as PurchaseChallenge;
}

export function asOrderView(value: unknown): OrderView | undefined {
  if (!isObject(value) || !isString(value.orderId) || !isString(value.saleId) || !isString(value.ticketId)) return undefined;
  if (!isString(value.status) || !Object.hasOwn(ORDER_STATUSES, value.status)) return undefined;
  if (!optional(value.paidAt, isString) || !optional(value.expiresAt, isString)) return undefined;
  return value as unknown as OrderView;
}
