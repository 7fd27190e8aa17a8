/**
 * The kill scenario of bench/push.ts, for one side: users whose sessions are on one node wait
 * for final states; the node is SIGKILLed a third of the way into the burst (the rest is emitted
 * while it is dead), the users reconnect to another node the way the SDK does, and every event
 * whose final state a user never saw is counted.
 */
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatTicketId } from '@seckill/contracts';
import type { BurstEvent, EmitterHandle } from './emitter-protocol';
import { holdSession } from './reconnecting-session';
import type { SessionTarget } from './sessions';

/** How long the users get to reconnect, and then for what the new node sends (our snapshot). */
const RECONNECT_TIMEOUT_MS = 20_000;
const SETTLE_MS = 1_500;

export interface NodeKillOutcome {
  events: number;
  /** Emitted after the bench sent SIGKILL. */
  afterKill: number;
  missed: number;
  missedBeforeKill: number;
  /** Users that had not reconnected when the count was taken. */
  notReconnected: number;
}

export async function runNodeKill(options: {
  side: 'push' | 'peer';
  /** The side's nodes; the users start on the first, which is killed. */
  target: SessionTarget;
  victim: ChildProcess;
  emitter: EmitterHandle;
  userIds: readonly string[];
  eventsPerUser: number;
  ratePerSecond: number;
  saleId: string;
}): Promise<NodeKillOutcome> {
  const { userIds } = options;
  const seen = new Map(userIds.map((userId) => [userId, new Set<string>()]));
  const sessions = userIds.map((userId, index) =>
    holdSession(options.target, userId, { index, firstUrl: 0, onTicket: (ticketId) => seen.get(userId)!.add(ticketId) }),
  );
  await Promise.all(sessions.map((session) => session.firstOpen));

  const events: BurstEvent[] = Array.from({ length: userIds.length * options.eventsPerUser }, (_, i) => ({
    userId: userIds[i % userIds.length]!,
    ticketId: formatTicketId(options.saleId, i + 1),
    saleId: options.saleId,
  }));
  const killAfter = Math.floor(events.length / 3);
  await options.emitter.burst({ side: options.side, events, ratePerSecond: options.ratePerSecond, killAfter }, () =>
    options.victim.kill('SIGKILL'),
  );

  const deadline = Date.now() + RECONNECT_TIMEOUT_MS;
  while (sessions.some((session) => !session.recovered) && Date.now() < deadline) await sleep(50);
  await sleep(SETTLE_MS);
  const missed = events.flatMap((event, index) => (seen.get(event.userId)!.has(event.ticketId) ? [] : [index]));
  const notReconnected = sessions.filter((session) => !session.recovered).length;
  await Promise.all(sessions.map((session) => session.stop()));
  return {
    events: events.length,
    afterKill: events.length - killAfter,
    missed: missed.length,
    missedBeforeKill: missed.filter((index) => index < killAfter).length,
    notReconnected,
  };
}
