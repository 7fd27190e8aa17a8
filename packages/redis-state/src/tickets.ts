import { parseTicketId, type TicketStatus } from '@seckill/contracts';
import type { RedisClient } from './redis-client';
import { redisKeys } from './keys';
import type { ScriptCall } from './scripts';
import { parseTicketRecord, type TicketRecord } from './ticket-record';

/** A final state decided by a worker (or found in PostgreSQL). */
export interface TicketResult {
  ticketId: string;
  saleId: string;
  userId: string;
  status: Exclude<TicketStatus, 'QUEUED'>;
  orderId?: string;
  reason?: string;
  at: number;
  /** For SUCCEEDED: the sale's ticket epoch when the order took its stock (PostgreSQL's `orders.stock_epoch`). */
  stockEpoch?: number;
}

/** What a worker must do with a ticket it consumed: CLAIMED, MISSING (Redis lost it) or its final status. */
export type ClaimOutcome = 'CLAIMED' | 'MISSING' | TicketStatus;

/** Group by sale, keeping each item's index: every key of a sale shares a slot, so one script call each. */
function bySale<T>(items: readonly T[], ticketIdOf: (item: T) => string): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  items.forEach((item, index) => {
    const parsed = parseTicketId(ticketIdOf(item));
    if (!parsed) throw new Error(`malformed ticket id ${ticketIdOf(item)}`);
    const indexes = groups.get(parsed.saleId);
    if (indexes) indexes.push(index);
    else groups.set(parsed.saleId, [index]);
  });
  return groups;
}

export function createTicketState(
  redis: RedisClient,
  scripts: { claimTickets: ScriptCall; recordResults: ScriptCall },
  resultTtlSeconds: number,
) {
  async function getTicket(ticketId: string): Promise<TicketRecord | undefined> {
    const parsed = parseTicketId(ticketId);
    return parsed ? parseTicketRecord(await redis.hgetall(redisKeys.ticket(parsed.saleId, ticketId))) : undefined;
  }

  return {
    getTicket,

    /** Tickets ahead in the queue; undefined once the ticket left it. */
    async queuePosition(saleId: string, ticketId: string): Promise<number | undefined> {
      return (await redis.zrank(redisKeys.queuedTickets(saleId), ticketId)) ?? undefined;
    },

    /** The user's tickets Redis still knows (the push snapshot). */
    async listUserTickets(userId: string): Promise<TicketRecord[]> {
      const ticketIds = await redis.smembers(redisKeys.userTickets(userId));
      const records = await Promise.all(ticketIds.map((ticketId) => getTicket(ticketId)));
      return records.filter((record): record is TicketRecord => record !== undefined && record.userId === userId);
    },

    /**
     * Index tickets under their users. Each user's key is in a slot of its own: one command per
     * key, which ioredis's auto-pipelining sends in one write per server (a pipeline could not
     * span slots on a cluster). Idempotent.
     */
    async indexUserTickets(tickets: readonly { userId: string; ticketId: string }[]): Promise<void> {
      await Promise.all(
        tickets.flatMap(({ userId, ticketId }) => {
          const key = redisKeys.userTickets(userId);
          return [redis.sadd(key, ticketId), redis.expire(key, resultTtlSeconds)];
        }),
      );
    },

    /** Claim queued tickets for processing (a cancel or the reaper can no longer take them). */
    async claimTickets(ticketIds: readonly string[]): Promise<Map<string, ClaimOutcome>> {
      const outcomes = new Map<string, ClaimOutcome>();
      const valid = ticketIds.filter((ticketId) => {
        if (parseTicketId(ticketId)) return true;
        outcomes.set(ticketId, 'MISSING');
        return false;
      });
      await Promise.all(
        [...bySale(valid, (ticketId) => ticketId)].map(async ([saleId, indexes]) => {
          const ids = indexes.map((index) => valid[index]!);
          const claimed = (await scripts.claimTickets(
            [redisKeys.outbox(saleId), ...ids.map((ticketId) => redisKeys.ticket(saleId, ticketId))],
            ids,
          )) as ClaimOutcome[];
          ids.forEach((ticketId, index) => outcomes.set(ticketId, claimed[index] ?? 'MISSING'));
        }),
      );
      return new Map(ticketIds.map((ticketId) => [ticketId, outcomes.get(ticketId) ?? 'MISSING']));
    },

    /**
     * Record final states (lua/record-results.lua: once per ticket, stock tokens kept equal to
     * what PostgreSQL can sell) and index them under their users. True per newly recorded result.
     */
    async recordResults(results: readonly TicketResult[]): Promise<boolean[]> {
      const recorded: boolean[] = results.map(() => false);
      await Promise.all(
        [...bySale(results, (result) => result.ticketId)].map(async ([saleId, indexes]) => {
          const keys = [
            redisKeys.queuedTickets(saleId),
            redisKeys.outbox(saleId),
            redisKeys.stockTokens(saleId),
            redisKeys.saleInfo(saleId),
            redisKeys.ticketsByUser(saleId),
            redisKeys.uncountedOrders(saleId),
          ];
          const args: (string | number)[] = [resultTtlSeconds];
          for (const index of indexes) {
            const result = results[index]!;
            const ticket = parseTicketId(result.ticketId)!;
            keys.push(redisKeys.ticket(saleId, result.ticketId));
            args.push(
              result.ticketId,
              result.saleId,
              result.userId,
              result.status,
              result.orderId ?? '',
              result.reason ?? '',
              result.at,
              ticket.ticketNumber,
              ticket.epoch,
              result.stockEpoch ?? '',
            );
          }
          const flags = (await scripts.recordResults(keys, args)) as number[];
          indexes.forEach((index, position) => (recorded[index] = flags[position] === 1));
        }),
      );
      await this.indexUserTickets(results);
      return recorded;
    },
  };
}
