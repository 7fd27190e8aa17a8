import type { RedisClient } from './redis-client';
import { redisKeys } from './keys';
import type { ScriptCall } from './scripts';

/** An admitted ticket whose message Kafka has not acknowledged yet. */
export interface OutboxEntry {
  ticketId: string;
  saleId: string;
  userId: string;
  ticketNumber: number;
  admittedAt: number;
}

export interface OutboxSweep {
  /** Due for a (re)send; due again after the retry delay, so no other gateway takes them meanwhile. */
  relay: OutboxEntry[];
  /** Past the enqueue deadline and unclaimed: now FAILED QUEUE_UNAVAILABLE, token returned, hold released. */
  reaped: Array<Omit<OutboxEntry, 'admittedAt'>>;
  /** The sale has ended and its outbox is empty: it can leave the active sales. */
  idle: boolean;
  /** The sale's pre-queue is due for its draw (`drawPrequeue`): started, not drawn yet. */
  drawDue: boolean;
}

export function createOutboxState(redis: RedisClient, scripts: { sweepOutbox: ScriptCall }, resultTtlSeconds: number) {
  return {
    /** Kafka acknowledged these tickets' messages. */
    async clearOutbox(tickets: readonly { saleId: string; ticketId: string }[]): Promise<void> {
      const bySale = new Map<string, string[]>();
      for (const { saleId, ticketId } of tickets) {
        const ids = bySale.get(saleId);
        if (ids) ids.push(ticketId);
        else bySale.set(saleId, [ticketId]);
      }
      // One command per sale (each its own slot), sent together by auto-pipelining.
      await Promise.all([...bySale].map(([saleId, ticketIds]) => redis.zrem(redisKeys.outbox(saleId), ...ticketIds)));
    },

    /** Sales whose outbox may hold tickets. */
    activeSales(): Promise<string[]> {
      return redis.smembers(redisKeys.activeSales());
    },

    async retireSale(saleId: string): Promise<void> {
      await redis.srem(redisKeys.activeSales(), saleId);
    },

    /** One pass over a sale's outbox (lua/sweep-outbox.lua). */
    async sweepOutbox(
      saleId: string,
      options: { nowMs: number; retryMs: number; enqueueDeadlineMs: number; limit: number },
    ): Promise<OutboxSweep> {
      const [relay, reaped, idle, drawDue] = (await scripts.sweepOutbox(
        [
          redisKeys.outbox(saleId),
          redisKeys.queuedTickets(saleId),
          redisKeys.stockTokens(saleId),
          redisKeys.ticketsByUser(saleId),
          redisKeys.saleInfo(saleId),
          redisKeys.prequeueDrawn(saleId),
        ],
        [options.nowMs, options.retryMs, options.enqueueDeadlineMs, resultTtlSeconds, options.limit, redisKeys.ticket(saleId, '')],
      )) as [string[], string[], number, number];
      const sweep: OutboxSweep = { relay: [], reaped: [], idle: idle === 1, drawDue: drawDue === 1 };
      for (let i = 0; i < relay.length; i += 4) {
        sweep.relay.push({
          ticketId: relay[i]!,
          saleId,
          userId: relay[i + 1]!,
          ticketNumber: Number(relay[i + 2]),
          admittedAt: Number(relay[i + 3]),
        });
      }
      for (let i = 0; i < reaped.length; i += 3) {
        sweep.reaped.push({ ticketId: reaped[i]!, saleId, userId: reaped[i + 1]!, ticketNumber: Number(reaped[i + 2]) });
      }
      return sweep;
    },
  };
}
