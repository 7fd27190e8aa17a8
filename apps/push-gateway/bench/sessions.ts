import { pushProtocols } from '@seckill/contracts';
import { io } from 'socket.io-client';
import WebSocket from 'ws';

/** Spread client sockets over several loopback source addresses so ephemeral ports never run short. */
const SOURCE_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
const CONNECT_CONCURRENCY = 200;

/**
 * Our push nodes, the socket.io peer's nodes, or the bare `ws` server (`ws://host:port`).
 * The session of user number i goes to `urls[i % urls.length]`.
 */
export type SessionTarget =
  { kind: 'push' | 'peer'; urls: readonly string[]; tokenFor: (userId: string) => string } | { kind: 'bare'; urls: readonly string[] };

/** One client session, whichever the kind. */
export interface BenchSession {
  /** Resolves once it can receive (push: `ready` came; peer: `connect`; bare: open); rejects if it ends first. */
  opened: Promise<void>;
  /** Resolves when it ends, for any reason, including a failed open. */
  closed: Promise<void>;
  close(): void;
}

/** Called with the ticket id of every ticket message a session gets (snapshot or live). */
export type OnTicket = (ticketId: string) => void;

/** A `ws` session; a push one is usable once `ready` arrived (authenticated and subscribed), a bare one once open. */
function openWebSocket(url: string, protocols: string[] | undefined, localAddress: string, onTicket?: OnTicket): BenchSession {
  const socket = new WebSocket(url, protocols, { localAddress, perMessageDeflate: false });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const opened = new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.once('close', (code) => reject(new Error(`session to ${url} closed with ${code} while opening`)));
    if (protocols) socket.once('message', () => resolve());
    else socket.once('open', () => resolve());
  });
  opened.catch(() => undefined);
  if (onTicket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type?: string; ticketId?: string };
      if (message.type === 'ticket' && message.ticketId) onTicket(message.ticketId);
    });
  }
  return { opened, closed, close: () => socket.close() };
}

function openSocketIo(url: string, token: string, localAddress: string, onTicket?: OnTicket): BenchSession {
  // WebSocket only, as ours; reconnecting (to another node) is left to the caller, as with ours.
  // engine.io-client hands `localAddress` to `ws` in Node, though its types do not list it.
  const options = { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true, localAddress };
  const socket = io(url, options);
  const closed = new Promise<void>((resolve) => {
    socket.once('disconnect', () => resolve());
    socket.once('connect_error', () => resolve());
  });
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  opened.catch(() => undefined);
  if (onTicket) socket.on('ticket', (message: { ticketId?: string }) => message.ticketId && onTicket(message.ticketId));
  return { opened, closed, close: () => socket.close() };
}

/** A session of `userId` to `url`; `index` picks its source address. */
export function openSession(
  target: SessionTarget,
  userId: string,
  options: { url: string; index: number; onTicket?: OnTicket },
): BenchSession {
  const { url, onTicket } = options;
  const localAddress = SOURCE_ADDRESSES[options.index % SOURCE_ADDRESSES.length]!;
  if (target.kind === 'bare') return openWebSocket(`${url}/?user=${userId}`, undefined, localAddress, onTicket);
  const token = target.tokenFor(userId);
  return target.kind === 'push'
    ? openWebSocket(url, pushProtocols(token), localAddress, onTicket)
    : openSocketIo(url, token, localAddress, onTicket);
}

/**
 * Open one session per user, a bounded number at a time, spread over the target's nodes.
 * `firstIndex` is the number of the first user, so that shards spread like one client would.
 */
export async function openSessions(
  target: SessionTarget,
  userIds: readonly string[],
  options: { firstIndex?: number; onTicket?: OnTicket } = {},
): Promise<BenchSession[]> {
  const firstIndex = options.firstIndex ?? 0;
  const sessions: BenchSession[] = new Array(userIds.length);
  let next = 0;
  async function worker() {
    while (next < userIds.length) {
      const i = next++;
      const index = firstIndex + i;
      sessions[i] = openSession(target, userIds[i]!, { url: target.urls[index % target.urls.length]!, index, onTicket: options.onTicket });
      await sessions[i].opened;
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, userIds.length) }, worker));
  return sessions;
}

export async function closeAll(sessions: readonly BenchSession[]): Promise<void> {
  for (const session of sessions) session.close();
  await Promise.all(sessions.map((session) => session.closed));
}
