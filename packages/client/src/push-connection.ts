import { backoffDelay } from './backoff';
import { isRetriablePushClose, PUSH_CLOSE } from './contract';
import { WS_OPEN, type WebSocketConstructor, type WebSocketLike } from './transport';

export type ConnectionStatus =
  /** Opening a socket or waiting for `ready`. */
  | 'connecting'
  /** Authenticated: ticket events arrive by push. */
  | 'ready'
  /** Lost or refused; the next attempt is scheduled (`retryInMs`). */
  | 'reconnecting'
  /** No WebSocket here, or the server refused for good (bad token, origin): polling only. */
  | 'unavailable'
  | 'closed';

export interface ConnectionState {
  status: ConnectionStatus;
  /** The node in use or about to be tried. */
  url?: string;
  /** The close code that ended the previous session, when there was one. */
  closeCode?: number;
  retryInMs?: number;
  /** Failed attempts since the last `ready`. */
  attempt: number;
}

export interface PushConnectionOptions {
  urls: readonly string[];
  WebSocket: WebSocketConstructor | undefined;
  getToken: () => Promise<string>;
  /** Every server message after `ready` (ticket snapshot and live events), parsed JSON. */
  onMessage: (message: unknown) => void;
  onState: (state: ConnectionState) => void;
  reconnect: { initialMs: number; maxMs: number };
  /** Open + auth must reach `ready` within this, or the node is given up on. */
  readyTimeoutMs: number;
  /** Application-level ping (browsers cannot see protocol pings); 0 disables. */
  heartbeatIntervalMs: number;
  random: () => number;
}

/** Close code the client uses when it gives up on a session that stopped answering. */
export const CLIENT_TIMEOUT_CLOSE = 4000;

/**
 * One WebSocket at a time to one of `urls`. Starts on a random node (spreading
 * users), and after a drain or a loss moves on to the next node, with
 * exponential backoff and jitter between failed attempts.
 */
export function createPushConnection(options: PushConnectionOptions): { close(): void; readonly state: ConnectionState } {
  const { urls, random } = options;
  let state: ConnectionState = { status: 'connecting', attempt: 0 };
  let urlIndex = Math.floor(random() * urls.length) % Math.max(1, urls.length);
  let socket: WebSocketLike | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let readyTimer: ReturnType<typeof setTimeout> | undefined;
  let heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  let heardSinceLastPing = true;
  let stopped = false;

  function setState(next: ConnectionState): void {
    state = next;
    options.onState(next);
  }

  function clearSessionTimers(): void {
    clearTimeout(readyTimer);
    clearInterval(heartbeatTimer);
    clearTimeout(refreshTimer);
    readyTimer = heartbeatTimer = refreshTimer = undefined;
  }

  /**
   * A session ends with its token: shortly before `expiresAt` ask for the current token and
   * send it on the open socket, so the session goes on without a reconnect. (A token that did
   * not change cannot extend anything: the server then closes with TOKEN_EXPIRED and the next
   * connection asks for a token again.)
   */
  function scheduleRefresh(current: WebSocketLike, expiresAt: unknown, sent: { token: string }): void {
    clearTimeout(refreshTimer);
    if (typeof expiresAt !== 'number') return;
    const lifetime = Math.max(0, expiresAt - Date.now());
    const delay = Math.min(2 ** 31 - 1, Math.max(0, lifetime - Math.min(60_000, lifetime / 10)));
    refreshTimer = setTimeout(() => {
      options.getToken().then(
        (token) => {
          if (token === sent.token || socket !== current || current.readyState !== WS_OPEN) return;
          sent.token = token;
          current.send(JSON.stringify({ type: 'auth', token }));
        },
        () => undefined, // no fresh token: the session ends at expiry and reconnects
      );
    }, delay);
  }

  function connect(): void {
    retryTimer = undefined;
    const url = urls[urlIndex]!;
    setState({ status: 'connecting', url, attempt: state.attempt });
    let current: WebSocketLike;
    try {
      current = new options.WebSocket!(url);
    } catch {
      scheduleRetry(undefined);
      return;
    }
    socket = current;
    readyTimer = setTimeout(() => abandon(current, 'not ready in time'), options.readyTimeoutMs);

    const sent = { token: '' };
    current.onopen = () => {
      options.getToken().then(
        (token) => {
          sent.token = token;
          if (socket === current && current.readyState === WS_OPEN) current.send(JSON.stringify({ type: 'auth', token }));
        },
        () => abandon(current, 'no token'),
      );
    };
    current.onmessage = (event) => {
      if (socket !== current) return;
      heardSinceLastPing = true;
      const message = parse(event.data);
      if (message === undefined) return;
      if (isType(message, 'ready')) {
        clearTimeout(readyTimer);
        startHeartbeat(current);
        scheduleRefresh(current, (message as { expiresAt?: unknown }).expiresAt, sent);
        setState({ status: 'ready', url, attempt: 0 });
      } else if (isType(message, 'reauthenticated')) {
        scheduleRefresh(current, (message as { expiresAt?: unknown }).expiresAt, sent);
      } else if (!isType(message, 'pong')) {
        options.onMessage(message);
      }
    };
    current.onerror = () => {
      // Always followed by `close`, which decides what happens next.
    };
    current.onclose = (event) => {
      if (socket !== current) return;
      socket = undefined;
      clearSessionTimers();
      if (stopped) return;
      if (!isRetriablePushClose(event.code)) {
        setState({ status: 'unavailable', url, closeCode: event.code, attempt: state.attempt });
        return;
      }
      scheduleRetry(event.code);
    };
  }

  /** Give up on a session that stopped answering without waiting for a close handshake that may never come. */
  function abandon(current: WebSocketLike, reason: string): void {
    if (socket !== current) return;
    socket = undefined;
    clearSessionTimers();
    try {
      current.close(CLIENT_TIMEOUT_CLOSE, reason);
    } catch {
      // already closing
    }
    if (!stopped) scheduleRetry(CLIENT_TIMEOUT_CLOSE);
  }

  function scheduleRetry(closeCode: number | undefined): void {
    urlIndex = (urlIndex + 1) % urls.length;
    // A draining node closes everyone at once, an expired token ends one session: reconnect right
    // away (the next connection asks for a fresh token), spread over one initial step.
    const draining = closeCode === PUSH_CLOSE.SERVICE_RESTART || closeCode === PUSH_CLOSE.TOKEN_EXPIRED;
    const attempt = draining ? state.attempt : state.attempt + 1;
    const retryInMs = draining
      ? Math.round(random() * options.reconnect.initialMs)
      : backoffDelay(attempt - 1, { ...options.reconnect, random });
    setState({
      status: 'reconnecting',
      url: urls[urlIndex]!,
      ...(closeCode !== undefined ? { closeCode } : {}),
      retryInMs,
      attempt,
    });
    retryTimer = setTimeout(connect, retryInMs);
  }

  function startHeartbeat(current: WebSocketLike): void {
    if (options.heartbeatIntervalMs <= 0) return;
    heardSinceLastPing = true;
    heartbeatTimer = setInterval(() => {
      // Nothing at all since the last ping: the connection is dead without having closed.
      if (!heardSinceLastPing) {
        abandon(current, 'heartbeat timeout');
        return;
      }
      heardSinceLastPing = false;
      if (current.readyState === WS_OPEN) current.send(JSON.stringify({ type: 'ping' }));
    }, options.heartbeatIntervalMs);
  }

  if (!options.WebSocket || urls.length === 0) {
    setState({ status: 'unavailable', attempt: 0 });
  } else {
    connect();
  }

  return {
    get state() {
      return state;
    },
    close() {
      if (stopped) return;
      stopped = true;
      clearTimeout(retryTimer);
      clearSessionTimers();
      const current = socket;
      socket = undefined;
      current?.close(1000, 'client closed');
      setState({ status: 'closed', attempt: state.attempt });
    },
  };
}

function parse(data: unknown): unknown {
  if (typeof data !== 'string') return undefined;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return undefined;
  }
}

function isType(message: unknown, type: string): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}
