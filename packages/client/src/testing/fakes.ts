import type { FetchLike, RequestInitLike, ResponseLike, WebSocketLike } from '../transport';

/** A WebSocket stand-in driven by the test: `open()`, `receive(message)`, `drop(code)`. */
export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];
  /** URLs whose connections fail at once (close 1006), like a killed node. */
  static refusing = new Set<string>();

  readyState = 0;
  readonly sent: unknown[] = [];
  closedWith: { code?: number; reason?: string } | undefined;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
    if (FakeWebSocket.refusing.has(url)) void Promise.resolve().then(() => this.drop(1006));
  }

  static reset(): void {
    FakeWebSocket.instances = [];
    FakeWebSocket.refusing.clear();
  }

  static latest(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1);
    if (!socket) throw new Error('no WebSocket was opened');
    return socket;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** A message from the server. */
  receive(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  /** The server closes (or the connection is lost). */
  drop(code: number, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({ code, reason });
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as unknown);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.drop(code ?? 1005, reason);
  }
}

export interface FakeRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A `fetch` answering from `route`; records every request. Throwing in `route` simulates a network failure. */
export function createFakeFetch(route: (request: FakeRequest) => FakeReply | Promise<FakeReply>): FetchLike & { requests: FakeRequest[] } {
  const requests: FakeRequest[] = [];
  const fakeFetch = async (url: string, init: RequestInitLike = {}): Promise<ResponseLike> => {
    const request = { method: init.method ?? 'GET', url, headers: init.headers ?? {} };
    requests.push(request);
    const reply = await route(request);
    const headers = new Map(Object.entries(reply.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    return {
      status: reply.status,
      ok: reply.status >= 200 && reply.status < 300,
      headers: { get: (name) => headers.get(name.toLowerCase()) ?? null },
      text: async () => text,
    };
  };
  return Object.assign(fakeFetch, { requests });
}

/** Open the latest socket, let the auth message go out (under fake timers), and answer `ready` for alice. */
export async function acceptLatestSocket(): Promise<FakeWebSocket> {
  const socket = FakeWebSocket.latest();
  socket.open();
  await jest.advanceTimersByTimeAsync(0);
  socket.receive({ type: 'ready', userId: 'alice' });
  return socket;
}

/** Every test of the calling file runs under fake timers, with no socket left over from the test before. */
export function useFakeTimersAndSockets(): void {
  beforeEach(() => {
    jest.useFakeTimers();
    FakeWebSocket.reset();
  });
  afterEach(() => jest.useRealTimers());
}
