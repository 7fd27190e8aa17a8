import type { FetchLike, ResponseLike } from '@seckill/client';
import { Agent, request } from 'undici';

/** The SDK's `fetch` slice, plus how long to wait for the answer (the request is aborted after). */
export type PoolFetch = (url: string, init?: Parameters<FetchLike>[1] & { timeoutMs?: number }) => Promise<ResponseLike>;

export interface HttpPool {
  /** The SDK's `fetch` slice over undici's `request` (lighter than undici's `fetch`). */
  fetch: PoolFetch;
  close(): Promise<void>;
}

/**
 * One keep-alive pool of at most `connections` sockets per origin, shared by the
 * herd of purchases and by the hello-world baseline, so both are measured with
 * the same client machinery.
 */
export function createHttpPool(options: {
  connections: number;
  timeoutMs?: number;
  /**
   * How long to wait for an answer once the request is on the wire (undici's headersTimeout starts
   * when the request is written): the time it waited for a free connection of the pool, which
   * stands in for the shoppers' own connections, does not count.
   */
  answerTimeoutMs?: number;
}): HttpPool {
  const agent = new Agent({
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: options.answerTimeoutMs ?? options.timeoutMs ?? 60_000,
    bodyTimeout: options.timeoutMs ?? 60_000,
  });
  const fetch: PoolFetch = async (url, init = {}) => {
    const response = await request(url, {
      method: (init.method ?? 'GET') as 'GET',
      headers: init.headers,
      body: init.body,
      dispatcher: agent,
      ...(init.timeoutMs !== undefined ? { signal: AbortSignal.timeout(init.timeoutMs) } : {}),
    });
    const text = await response.body.text();
    const result: ResponseLike = {
      status: response.statusCode,
      ok: response.statusCode >= 200 && response.statusCode < 300,
      headers: {
        get(name) {
          const value = response.headers[name.toLowerCase()];
          return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
        },
      },
      text: async () => text,
    };
    return result;
  };
  return { fetch, close: () => agent.close() };
}
