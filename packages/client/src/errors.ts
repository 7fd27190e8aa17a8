import type { ErrorCode } from '@seckill/contracts';
import { isErrorCode, isRetriableErrorCode } from './contract';

/** Failures the SDK itself detects, beside the gateway's own error codes. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'BAD_RESPONSE' | 'CLIENT_CLOSED';

/** A failed API call: the gateway's `{ error: { code, message } }`, or what went wrong on the way. */
export class SeckillApiError extends Error {
  readonly code: ErrorCode | ClientErrorCode;
  /** HTTP status; 0 when no response arrived. */
  readonly status: number;
  /** From `Retry-After`, when the gateway sent one (QUEUE_FULL, RATE_LIMITED). */
  readonly retryAfterMs: number | undefined;
  /** Whether the same call may succeed later. */
  readonly retriable: boolean;

  constructor(
    code: ErrorCode | ClientErrorCode,
    message: string,
    options: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'SeckillApiError';
    this.code = code;
    this.status = options.status ?? 0;
    this.retryAfterMs = options.retryAfterMs;
    this.retriable = isErrorCode(code) ? isRetriableErrorCode(code) : code === 'NETWORK_ERROR';
  }
}

/** `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The code to report when a response carries no usable error body. */
export function codeForStatus(status: number): ErrorCode {
  if (status === 400) return 'INVALID_INPUT';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 410) return 'SOLD_OUT';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 428) return 'CHALLENGE_REQUIRED';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 502 || status === 503 || status === 504) return 'SERVICE_UNAVAILABLE';
  return 'INTERNAL';
}
