/**
 * The slices of `fetch` and `WebSocket` the SDK uses, so the browser's globals,
 * Node's `fetch` with the `ws` package, and test fakes all fit.
 */

export interface ResponseLike {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface RequestInitLike {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export type FetchLike = (url: string, init?: RequestInitLike) => Promise<ResponseLike>;

// Handler parameters are declared bivariantly so both the DOM's and `ws`'s event types fit.
type Handler<Event> = { bivarianceHack(event: Event): void }['bivarianceHack'];

export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `WebSocket.OPEN`, the same number everywhere. */
export const WS_OPEN = 1;

export function globalFetch(): FetchLike | undefined {
  const candidate = (globalThis as { fetch?: unknown }).fetch;
  return typeof candidate === 'function' ? (candidate.bind(globalThis) as FetchLike) : undefined;
}

export function globalWebSocket(): WebSocketConstructor | undefined {
  const candidate = (globalThis as { WebSocket?: unknown }).WebSocket;
  return typeof candidate === 'function' ? (candidate as WebSocketConstructor) : undefined;
}
