/**
 * What bench/push.ts and its emitter process (bench/emitter.ts) say to each other over IPC,
 * and the names and clock both sides share.
 */
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { TicketEvent } from '@seckill/contracts';

/** Ours (push nodes over NATS), the peer (socket.io over Redis) and the bare `ws` baseline. */
export type Side = 'push' | 'peer' | 'bare';
export const SIDES: readonly Side[] = ['push', 'peer', 'bare'];

export interface BurstEvent {
  userId: string;
  ticketId: string;
  saleId: string;
}

export type EmitterCommand =
  /** `count` events to `receivers` at `ratePerSecond`; the reply holds each one's emit time. */
  | { kind: 'round'; side: Side; label: string; count: number; ratePerSecond: number; receivers: readonly string[] }
  /** Final states at `ratePerSecond`; `kill-point` is sent once `killAfter` of them are out. Ours records each in Redis first. */
  | { kind: 'burst'; side: Exclude<Side, 'bare'>; events: readonly BurstEvent[]; ratePerSecond: number; killAfter: number }
  /** Delete what bursts recorded in Redis. */
  | { kind: 'cleanup' };

export type EmitterReply = { kind: 'round-done'; sentAt: number[] } | { kind: 'kill-point' } | { kind: 'burst-done' } | { kind: 'cleaned' };

/**
 * Epoch milliseconds with sub-millisecond resolution, comparable between processes of one
 * machine (each process's monotonic clock, anchored to the wall clock at its start).
 */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** The `index`th event of a latency round (same ids, so same payloads, on every side). */
export function roundTicketId(label: string, index: number): string {
  return `${label}.1.${index + 1}`;
}

export function roundEvent(label: string, index: number): TicketEvent {
  return {
    type: 'ticket',
    ticketId: roundTicketId(label, index),
    saleId: label,
    status: 'SUCCEEDED',
    orderId: `order-${index}`,
    at: Date.now(),
  };
}

/** The receiver of a latency round's `index`th event (spread over the receivers, as before). */
export function roundReceiver(receivers: readonly string[], index: number): string {
  return receivers[(index * 7919) % receivers.length]!;
}

/** The peer's room of one user: socket.io's way to reach every session of that user on any node. */
export function peerRoom(userId: string): string {
  return `user:${userId}`;
}

/** The bench's side of the IPC: one command at a time. */
export function emitterHandle(child: ChildProcess) {
  function request(command: EmitterCommand, until: EmitterReply['kind'], onReply?: (reply: EmitterReply) => void): Promise<EmitterReply> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: EmitterReply) => {
        onReply?.(reply);
        if (reply.kind !== until) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(reply);
      };
      const onExit = (code: number | null) => reject(new Error(`emitter exited with ${code}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(command);
    });
  }
  return {
    pid: child.pid!,
    async round(command: Omit<Extract<EmitterCommand, { kind: 'round' }>, 'kind'>): Promise<number[]> {
      const reply = await request({ kind: 'round', ...command }, 'round-done');
      return reply.kind === 'round-done' ? reply.sentAt : [];
    },
    async burst(command: Omit<Extract<EmitterCommand, { kind: 'burst' }>, 'kind'>, onKillPoint: () => void): Promise<void> {
      await request({ kind: 'burst', ...command }, 'burst-done', (reply) => reply.kind === 'kill-point' && onKillPoint());
    },
    async cleanup(): Promise<void> {
      await request({ kind: 'cleanup' }, 'cleaned');
    },
  };
}
export type EmitterHandle = ReturnType<typeof emitterHandle>;
