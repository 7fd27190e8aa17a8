import { pushCloseCodes } from '@seckill/contracts';
import type { PushEvent, RegisteredSession } from './session-registry';

/** The part of a `ws` WebSocket a session uses (a fake in unit tests). */
export interface SessionSocket {
  readonly bufferedAmount: number;
  send(text: string): void;
  close(code: number, reason: string): void;
  terminate(): void;
}

export interface PushSession extends RegisteredSession {
  /** Send a message of our own (ready, pong); false when the session is closed or too slow. */
  send(text: string): boolean;
  /** Send the snapshot, then whatever arrived live meanwhile, then go live. */
  goLive(snapshot: readonly PushEvent[]): void;
  /** More of the snapshot, found after going live (final states only PostgreSQL still knew). */
  addToSnapshot(events: readonly PushEvent[]): void;
  close(code: number, reason: string): void;
  readonly closed: boolean;
}

export type DeliverySource = 'live' | 'snapshot';

/**
 * One authenticated socket. Live events that arrive while the snapshot is being
 * read are held and sent after it, so a client always sees ready, snapshot, live.
 */
export function createPushSession(options: {
  userId: string;
  socket: SessionSocket;
  slowConsumerBytes: number;
  /** How long a slow consumer gets to take its close frame before the socket is destroyed. */
  closeGraceMs?: number;
  onDelivered?: (event: PushEvent, source: DeliverySource) => void;
  onSlowConsumer?: (bufferedAmount: number) => void;
}): PushSession {
  const { socket, slowConsumerBytes } = options;
  let pendingLive: PushEvent[] | undefined = [];
  let closed = false;

  function close(code: number, reason: string): void {
    if (closed) return;
    closed = true;
    pendingLive = undefined;
    socket.close(code, reason);
  }

  function send(text: string): boolean {
    if (closed) return false;
    if (socket.bufferedAmount > slowConsumerBytes) {
      options.onSlowConsumer?.(socket.bufferedAmount);
      close(pushCloseCodes.SLOW_CONSUMER, 'slow consumer');
      // The close frame queues behind the unread backlog; do not wait for it for long.
      setTimeout(() => socket.terminate(), options.closeGraceMs ?? 1_000).unref();
      return false;
    }
    socket.send(text);
    return true;
  }

  function deliver(event: PushEvent, source: DeliverySource): void {
    if (send(event.text)) options.onDelivered?.(event, source);
  }

  return {
    userId: options.userId,
    get closed() {
      return closed;
    },
    send,
    close,
    deliver(event) {
      if (pendingLive) pendingLive.push(event);
      else deliver(event, 'live');
    },
    goLive(snapshot) {
      const held = pendingLive;
      if (!held) return;
      pendingLive = undefined;
      for (const event of snapshot) deliver(event, 'snapshot');
      for (const event of held) deliver(event, 'live');
    },
    addToSnapshot(events) {
      for (const event of events) deliver(event, 'snapshot');
    },
  };
}
