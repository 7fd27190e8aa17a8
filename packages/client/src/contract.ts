/**
 * The contract's runtime checks, without zod. The SDK ships to browsers where zod
 * would be most of the bundle (~450 KB); the types still come from @seckill/contracts
 * and every table here is typed against them, so a contract change fails to compile.
 * contract.test.ts checks these guards accept what the contract's zod schemas accept.
 */
import type {
  ErrorCode,
  OrderEvent,
  pushCloseCodes,
  SaleState,
  SaleView,
  TicketEvent,
  TicketReceipt,
  TicketStatus,
  TicketView,
} from '@seckill/contracts';

/** Whether trying again later can succeed, per error code (the contract's `errorCodes[code].retriable`). */
const RETRIABLE_BY_CODE: Record<ErrorCode, boolean> = {
  INVALID_INPUT: false,
  UNAUTHORIZED: false,
  FORBIDDEN: false,
  SALE_NOT_ACTIVE: true,
  SALE_NOT_FOUND: false,
  TICKET_NOT_FOUND: false,
  ORDER_NOT_FOUND: false,
  NOT_FOUND: false,
  TICKET_NOT_CANCELLABLE: false,
  ORDER_NOT_PAYABLE: false,
  CONFLICT: false,
  PAYMENT_DECLINED: false,
  SOLD_OUT: false,
  PAYLOAD_TOO_LARGE: false,
  QUEUE_FULL: true,
  RATE_LIMITED: true,
  INTERNAL: true,
  SERVICE_UNAVAILABLE: true,
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(RETRIABLE_BY_CODE, value);
}

export function isRetriableErrorCode(code: ErrorCode): boolean {
  return RETRIABLE_BY_CODE[code];
}

const FINAL_BY_STATUS: Record<TicketStatus, boolean> = { QUEUED: false, SUCCEEDED: true, FAILED: true, CANCELLED: true };
const SALE_STATES: Record<SaleState, true> = { UPCOMING: true, ACTIVE: true, SOLD_OUT: true, ENDED: true };
const ORDER_EVENT_STATUSES: Record<OrderEvent['status'], true> = { PAID: true, EXPIRED: true };

/** Same values as the contract's `pushCloseCodes` (the type makes any difference a compile error). */
export const PUSH_CLOSE: typeof pushCloseCodes = {
  UNAUTHORIZED: 4001,
  TOO_MANY_SESSIONS: 4002,
  ORIGIN_NOT_ALLOWED: 4003,
  SLOW_CONSUMER: 4008,
  PROTOCOL_VIOLATION: 4009,
  RATE_LIMITED: 4010,
  MESSAGE_TOO_BIG: 1009,
  SERVICE_RESTART: 1012,
};

/** As the contract's `isRetriablePushClose`: reconnecting cannot fix a bad token, origin or message. */
export function isRetriablePushClose(code: number): boolean {
  return (
    code !== PUSH_CLOSE.UNAUTHORIZED &&
    code !== PUSH_CLOSE.ORIGIN_NOT_ALLOWED &&
    code !== PUSH_CLOSE.MESSAGE_TOO_BIG &&
    code !== PUSH_CLOSE.PROTOCOL_VIOLATION
  );
}

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
  const counts = [value.initialStock, value.remainingStock, value.queueCapacity, value.queueDepth];
  if (!counts.every((count) => Number.isSafeInteger(count))) return undefined;
  return value as unknown as SaleView;
}
