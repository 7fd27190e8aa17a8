// Kept free of zod: the browser SDK imports this module, and zod would dominate its bundle.
/**
 * Stable error codes: the gateway answers with them, the SDK branches on them,
 * the README documents them. `retriable` tells a client (or the worker) whether
 * trying the same thing again later can succeed.
 */
export const errorCodes = {
  INVALID_INPUT: { httpStatus: 400, retriable: false },
  UNAUTHORIZED: { httpStatus: 401, retriable: false },
  FORBIDDEN: { httpStatus: 403, retriable: false },
  SALE_NOT_ACTIVE: { httpStatus: 403, retriable: true },
  SALE_NOT_FOUND: { httpStatus: 404, retriable: false },
  TICKET_NOT_FOUND: { httpStatus: 404, retriable: false },
  ORDER_NOT_FOUND: { httpStatus: 404, retriable: false },
  NOT_FOUND: { httpStatus: 404, retriable: false },
  TICKET_NOT_CANCELLABLE: { httpStatus: 409, retriable: false },
  ORDER_NOT_PAYABLE: { httpStatus: 409, retriable: false },
  PAYMENT_IN_PROGRESS: { httpStatus: 409, retriable: true },
  CONFLICT: { httpStatus: 409, retriable: false },
  SALE_ALREADY_STARTED: { httpStatus: 409, retriable: false },
  PAYMENT_DECLINED: { httpStatus: 402, retriable: false },
  /** The sale needs a solved purchase challenge: get one, solve it, buy again with it. */
  CHALLENGE_REQUIRED: { httpStatus: 428, retriable: true },
  /** The challenge is not this user's or sale's, expired, already used, or the solution is wrong. */
  CHALLENGE_INVALID: { httpStatus: 403, retriable: true },
  SOLD_OUT: { httpStatus: 410, retriable: false },
  PAYLOAD_TOO_LARGE: { httpStatus: 413, retriable: false },
  QUEUE_FULL: { httpStatus: 429, retriable: true },
  RATE_LIMITED: { httpStatus: 429, retriable: true },
  INTERNAL: { httpStatus: 500, retriable: true },
  SERVICE_UNAVAILABLE: { httpStatus: 503, retriable: true },
} as const satisfies Record<string, { httpStatus: number; retriable: boolean }>;

export type ErrorCode = keyof typeof errorCodes;

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}

/** Thrown by domain code; the gateway turns it into the `{ error }` shape. */
export class SeckillError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly retriable: boolean;
  /** Seconds a client should wait before retrying (sent as `Retry-After`). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: { retryAfterSeconds?: number; cause?: unknown } = {}) {
    // A refusal (4xx) is an answer, not a fault: no stack trace, which a herd of refusals would
    // pay for on every request. Server-side errors keep theirs.
    const stackTraceLimit = Error.stackTraceLimit;
    if (errorCodes[code].httpStatus < 500) Error.stackTraceLimit = 0;
    try {
      super(message, { cause: options.cause });
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    this.name = 'SeckillError';
    this.code = code;
    this.httpStatus = errorCodes[code].httpStatus;
    this.retriable = errorCodes[code].retriable;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
