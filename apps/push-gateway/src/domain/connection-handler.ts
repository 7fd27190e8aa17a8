import { pushClientMessageSchema, pushCloseCodes, type PushServerMessage, type TicketEvent } from '@seckill/contracts';
import type { Logger } from '@seckill/platform';
import { WebSocket, type RawData } from 'ws';
import type { PushMetrics } from './push-metrics';
import { createPushSession, type PushSession } from './push-session';
import type { SessionRegistry } from './session-registry';
import { pushEventFromTicket } from './ticket-snapshot';

/** Standard "internal error": the snapshot could not be read; the client retries. */
const INTERNAL_ERROR = 1011;
/** Standard "no close frame": what a socket that missed a heartbeat is counted as. */
const ABNORMAL_CLOSURE = 1006;
/** Users whose snapshots are read at once when every session gets its snapshot again. */
const SNAPSHOT_RESEND_BATCH = 100;

/** Heartbeat sweep period: a hundredth of the interval, within 10-100 ms. */
function heartbeatTickMs(heartbeatMs: number): number {
  return Math.max(10, Math.min(100, Math.floor(heartbeatMs / 100)));
}

export interface ConnectionLimits {
  authTimeoutMs: number;
  heartbeatMs: number;
  slowConsumerBytes: number;
  maxMessagesPerSecond: number;
  drainTimeoutMs: number;
}

interface Connection {
  socket: WebSocket;
  alive: boolean;
  nextHeartbeatAt: number;
  session: PushSession | undefined;
  authTimer: NodeJS.Timeout | undefined;
  /** Ends the session when its token expires, unless a fresh one comes first. */
  expiryTimer: NodeJS.Timeout | undefined;
  /** The code this server closed with, for the metric (the peer may never echo it). */
  closedWith: number | undefined;
  /** Ready and snapshot sent: live events flow (and a snapshot may be sent again). */
  live: boolean;
  windowStartedAt: number;
  messagesInWindow: number;
}

export interface ConnectionHandler {
  /** Take over an upgraded socket; `protocolToken` is the JWT offered in Sec-WebSocket-Protocol, if any. */
  accept(socket: WebSocket, handshake: { protocolToken: string | undefined }): void;
  /**
   * Send every live session its user's ticket states again: after the node's NATS connection
   * came back (its server died, it moved to another), events published meanwhile never arrived.
   * Clients deduplicate by ticket and status.
   */
  resendSnapshots(): Promise<void>;
  /** Close every connection with 1012 and wait (bounded) until they are gone. */
  drain(): Promise<void>;
  readonly draining: boolean;
}

/**
 * The socket lifecycle of a push node: auth (first message or handshake) within a
 * deadline, session cap, ready + snapshot, heartbeats, flood and protocol checks,
 * drain. Plain factory over `ws` sockets so it runs the same in any server.
 */
export function createConnectionHandler(options: {
  registry: SessionRegistry;
  verifyToken: (token: string) => { userId: string; expiresAtMs: number };
  /** The user's tickets Redis holds: the snapshot, sent before going live. */
  listTickets: (userId: string) => Promise<TicketEvent[]>;
  /**
   * The user's final tickets Redis lost (PostgreSQL's), given the ticket ids the snapshot had:
   * asked after going live, so a slow PostgreSQL never holds up the session.
   */
  listLostTickets?: (userId: string, known: ReadonlySet<string>) => Promise<TicketEvent[]>;
  metrics: PushMetrics;
  logger: Pick<Logger, 'debug' | 'info' | 'warn'>;
  limits: ConnectionLimits;
  clock?: () => number;
}): ConnectionHandler {
  const { registry, metrics, logger, limits } = options;
  const clock = options.clock ?? Date.now;
  const connections = new Set<Connection>();
  let draining = false;
  let onDrained: (() => void) | undefined;

  // Each socket is pinged every heartbeatMs at its own phase (random first check), checked in
  // short ticks, so 20k sessions mean ~130 pings (and pongs) per 100 ms, never one big burst.
  const heartbeat = setInterval(() => {
    const now = clock();
    for (const connection of connections) {
      if (connection.nextHeartbeatAt > now) continue;
      connection.nextHeartbeatAt = now + limits.heartbeatMs;
      if (!connection.alive) {
        connection.closedWith ??= ABNORMAL_CLOSURE;
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      if (connection.socket.readyState === WebSocket.OPEN) connection.socket.ping();
    }
  }, heartbeatTickMs(limits.heartbeatMs));
  heartbeat.unref();

  function close(connection: Connection, code: number, reason: string): void {
    clearTimeout(connection.authTimer);
    clearTimeout(connection.expiryTimer);
    connection.closedWith ??= code;
    if (connection.session) connection.session.close(code, reason);
    else connection.socket.close(code, reason);
  }

  function onClose(connection: Connection, code: number): void {
    clearTimeout(connection.authTimer);
    clearTimeout(connection.expiryTimer);
    connections.delete(connection);
    if (connection.session) registry.remove(connection.session);
    metrics.closes.inc({ code: String(connection.closedWith ?? code) });
    if (draining && connections.size === 0) onDrained?.();
  }

  function isOpen(connection: Connection): boolean {
    return connection.socket.readyState === WebSocket.OPEN;
  }

  /** A session lives as long as its token: at expiry it is closed, and the client comes back with a fresh one. */
  function endAtExpiry(connection: Connection, expiresAtMs: number): void {
    clearTimeout(connection.expiryTimer);
    // setTimeout holds at most ~24.8 days; a longer token is checked again then.
    const delay = Math.min(2 ** 31 - 1, Math.max(0, expiresAtMs - clock()));
    connection.expiryTimer = setTimeout(() => {
      if (clock() >= expiresAtMs) close(connection, pushCloseCodes.TOKEN_EXPIRED, 'token expired');
      else endAtExpiry(connection, expiresAtMs);
    }, delay);
    connection.expiryTimer.unref();
  }

  /** A fresh token on an open session: the same user's extends it, anyone else's ends it. */
  function reauthenticate(connection: Connection, session: PushSession, token: string): void {
    let verified: { userId: string; expiresAtMs: number };
    try {
      verified = options.verifyToken(token);
    } catch (error) {
      logger.debug({ err: error }, 'push re-auth rejected');
      close(connection, pushCloseCodes.UNAUTHORIZED, 'invalid token');
      return;
    }
    if (verified.userId !== session.userId) {
      close(connection, pushCloseCodes.UNAUTHORIZED, 'a session belongs to one user');
      return;
    }
    endAtExpiry(connection, verified.expiresAtMs);
    session.send(JSON.stringify({ type: 'reauthenticated', expiresAt: verified.expiresAtMs } satisfies PushServerMessage));
  }

  async function authenticate(connection: Connection, token: string): Promise<void> {
    let userId: string;
    let expiresAtMs: number;
    try {
      ({ userId, expiresAtMs } = options.verifyToken(token));
    } catch (error) {
      logger.debug({ err: error }, 'push auth rejected');
      close(connection, pushCloseCodes.UNAUTHORIZED, 'invalid token');
      return;
    }
    clearTimeout(connection.authTimer);
    connection.authTimer = undefined;

    const session = createPushSession({
      userId,
      socket: connection.socket,
      slowConsumerBytes: limits.slowConsumerBytes,
      onDelivered: (event, source) => metrics.recordDelivery(event, source, clock()),
      onSlowConsumer: (bufferedAmount) => {
        connection.closedWith ??= pushCloseCodes.SLOW_CONSUMER;
        logger.warn({ userId, bufferedAmount }, 'closing a slow consumer');
      },
    });
    const added = registry.add(session);
    if (!added.accepted) {
      close(connection, pushCloseCodes.TOO_MANY_SESSIONS, 'too many sessions for this user');
      return;
    }
    connection.session = session;
    try {
      await added.ready; // subscribed before reading Redis: a result is either live or in the snapshot
      if (!isOpen(connection)) return;
      endAtExpiry(connection, expiresAtMs);
      session.send(JSON.stringify({ type: 'ready', userId, expiresAt: expiresAtMs } satisfies PushServerMessage));
      const tickets = await options.listTickets(userId);
      if (!isOpen(connection)) return;
      session.goLive(tickets.map(pushEventFromTicket));
      connection.live = true;
      if (options.listLostTickets) {
        const lost = await options.listLostTickets(userId, new Set(tickets.map((ticket) => ticket.ticketId)));
        if (lost.length > 0 && isOpen(connection)) session.addToSnapshot(lost.map(pushEventFromTicket));
      }
    } catch (error) {
      logger.warn({ err: error, userId }, 'push session setup failed');
      close(connection, INTERNAL_ERROR, 'snapshot unavailable');
    }
  }

  function onMessage(connection: Connection, data: RawData, isBinary: boolean): void {
    if (!isOpen(connection)) return;
    const now = clock();
    if (now - connection.windowStartedAt >= 1_000) {
      connection.windowStartedAt = now;
      connection.messagesInWindow = 0;
    }
    connection.messagesInWindow += 1;
    if (connection.messagesInWindow > limits.maxMessagesPerSecond) {
      close(connection, pushCloseCodes.RATE_LIMITED, 'too many messages');
      return;
    }
    if (isBinary) {
      close(connection, pushCloseCodes.PROTOCOL_VIOLATION, 'binary messages are not supported');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data.toString());
    } catch {
      close(connection, pushCloseCodes.PROTOCOL_VIOLATION, 'messages must be JSON');
      return;
    }
    const parsed = pushClientMessageSchema.safeParse(json);
    const message = parsed.success ? parsed.data : undefined;
    if (message?.type === 'ping') {
      connection.socket.send(JSON.stringify({ type: 'pong', at: now } satisfies PushServerMessage));
    } else if (!connection.session && connection.authTimer) {
      // Unauthenticated: the only thing to say is who you are.
      if (message?.type === 'auth') void authenticate(connection, message.token);
      else close(connection, pushCloseCodes.UNAUTHORIZED, 'first message must be {"type":"auth","token":...}');
    } else if (connection.session && message?.type === 'auth') {
      reauthenticate(connection, connection.session, message.token);
    }
    // Authenticated: anything else (unknown types) is ignored.
  }

  return {
    accept(socket, handshake) {
      const connection: Connection = {
        socket,
        alive: true,
        nextHeartbeatAt: clock() + limits.heartbeatMs * (0.5 + Math.random() / 2),
        session: undefined,
        authTimer: undefined,
        expiryTimer: undefined,
        closedWith: undefined,
        live: false,
        windowStartedAt: 0,
        messagesInWindow: 0,
      };
      connections.add(connection);
      socket.on('close', (code) => onClose(connection, code));
      if (draining) {
        close(connection, pushCloseCodes.SERVICE_RESTART, 'node draining; reconnect elsewhere');
        return;
      }
      socket.on('pong', () => {
        connection.alive = true;
      });
      socket.on('message', (data, isBinary) => onMessage(connection, data, isBinary));
      if (handshake.protocolToken !== undefined) {
        void authenticate(connection, handshake.protocolToken);
      } else {
        connection.authTimer = setTimeout(() => close(connection, pushCloseCodes.UNAUTHORIZED, 'auth timeout'), limits.authTimeoutMs);
      }
    },

    async resendSnapshots() {
      const sessionsByUser = new Map<string, PushSession[]>();
      for (const { live, session } of connections) {
        if (!live || !session) continue;
        const sessions = sessionsByUser.get(session.userId);
        if (sessions) sessions.push(session);
        else sessionsByUser.set(session.userId, [session]);
      }
      const users = [...sessionsByUser];
      // A batch of users at a time: thousands of sessions must not turn into one burst on Redis.
      for (let i = 0; i < users.length; i += SNAPSHOT_RESEND_BATCH) {
        await Promise.all(
          users.slice(i, i + SNAPSHOT_RESEND_BATCH).map(([userId, sessions]) =>
            options.listTickets(userId).then(
              (tickets) => {
                const events = tickets.map(pushEventFromTicket);
                for (const session of sessions) if (!session.closed) session.addToSnapshot(events);
              },
              (error: unknown) => logger.warn({ err: error, userId }, 'could not send a snapshot again after a NATS reconnect'),
            ),
          ),
        );
      }
    },

    async drain() {
      draining = true;
      clearInterval(heartbeat);
      if (connections.size === 0) return;
      const drained = new Promise<void>((resolve) => {
        onDrained = resolve;
      });
      for (const connection of connections) close(connection, pushCloseCodes.SERVICE_RESTART, 'node draining; reconnect elsewhere');
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, limits.drainTimeoutMs, 'timeout').unref());
      if ((await Promise.race([drained, timeout])) === 'timeout') {
        logger.warn({ remaining: connections.size }, 'drain timed out; terminating the remaining sockets');
        for (const connection of connections) connection.socket.terminate();
      }
    },

    get draining() {
      return draining;
    },
  };
}
