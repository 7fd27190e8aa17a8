import { SeckillApiError } from '@seckill/client';

/** The gateway's error code; for no answer, TIMEOUT (the shopper's patience ran out) or CONNECTION_LOST. */
export function errorCode(error: unknown): string | undefined {
  if (error instanceof SeckillApiError && error.code !== 'NETWORK_ERROR') return error.code;
  const cause: unknown = error instanceof SeckillApiError ? error.cause : error;
  const name = cause instanceof Error || cause instanceof DOMException ? cause.name : undefined;
  if (name === 'TimeoutError' || name === 'AbortError' || (cause as { code?: unknown } | undefined)?.code === 'UND_ERR_HEADERS_TIMEOUT')
    return 'TIMEOUT';
  if (error instanceof SeckillApiError || (cause instanceof Error && 'code' in cause)) return 'CONNECTION_LOST';
  return error instanceof Error ? error.message : undefined;
}

/** The gateway's own time from its `Server-Timing: app;dur=<ms>` header. */
export function serverTiming(header: string | null): number | undefined {
  const match = header ? /(?:^|,)\s*app;dur=([\d.]+)/.exec(header) : null;
  return match ? Number(match[1]) : undefined;
}
