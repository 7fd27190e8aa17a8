import { redisKeys, parseTicketId, type TicketStatus } from '@seckill/contracts';
import type { Redis } from 'ioredis';

/** A ticket as kept in Redis: the hash at `{sale:<id>}:ticket:<ticketId>`. */
export interface TicketRecord {
  ticketId: string;
  saleId: string;
  userId: string;
  ticketNumber: number;
  status: TicketStatus;
  orderId?: string;
  reason?: string;
  /** Epoch ms of the last state change. */
  updatedAt: number;
}

export interface TicketResult {
  ticketId: string;
  saleId: string;
  userId: string;
  status: Exclude<TicketStatus, 'QUEUED'>;
  orderId?: string;
  reason?: string;
  at: number;
}

export type ClaimOutcome = 'CLAIMED' | 'MISSING' | TicketStatus;

// Marks queued tickets (all of one sale: one hash slot) as taken by a worker, so a cancel can
// no longer win the race against their orders being written. Returns, per key, the status the
// worker must act on.
const CLAIM_SCRIPT = `
local outcomes = {}
for i, key in ipairs(KEYS) do
  local status = redis.call('HGET', key, 'status')
  if not status then
    outcomes[i] = 'MISSING'
  elseif status == 'QUEUED' then
    redis.call('HSET', key, 'claimed', '1')
    outcomes[i] = 'CLAIMED'
  else
    outcomes[i] = status
  end
end
return outcomes`;

// Records final states once, for tickets of ONE sale (one hash slot): a redelivered result is a
// no-op and a CANCELLED ticket is never overwritten; the ticket leaves the queue and stays for
// polling until its TTL. KEYS[1] is the queue, KEYS[1+i] ticket i's hash; ARGV[1] the TTL, then
// 8 arguments per ticket. Returns 1/0 per ticket.
const RECORD_RESULTS_SCRIPT = `
local recorded = {}
for i = 2, #KEYS do
  local key = KEYS[i]
  local a = 1 + (i - 2) * 8
  local status = redis.call('HGET', key, 'status')
  if status and status ~= 'QUEUED' then
    recorded[i - 1] = 0
  else
    redis.call('HSET', key, 'ticketId', ARGV[a + 1], 'saleId', ARGV[a + 2], 'userId', ARGV[a + 3], 'status', ARGV[a + 4], 'updatedAt', ARGV[a + 7])
    if ARGV[a + 5] ~= '' then redis.call('HSET', key, 'orderId', ARGV[a + 5]) end
    if ARGV[a + 6] ~= '' then redis.call('HSET', key, 'reason', ARGV[a + 6]) end
    if not status then redis.call('HSET', key, 'ticketNumber', ARGV[a + 8]) end
    redis.call('EXPIRE', key, ARGV[1])
    redis.call('ZREM', KEYS[1], ARGV[a + 1])
    recorded[i - 1] = 1
  end
end
return recorded`;

function toRecord(hash: Record<string, string>): TicketRecord | undefined {
  if (!hash.ticketId || !hash.status || !hash.saleId || !hash.userId) return undefined;
  return {
    ticketId: hash.ticketId,
    saleId: hash.saleId,
    userId: hash.userId,
    ticketNumber: Number(hash.ticketNumber),
    status: hash.status as TicketStatus,
    ...(hash.orderId ? { orderId: hash.orderId } : {}),
    ...(hash.reason ? { reason: hash.reason } : {}),
    updatedAt: Number(hash.updatedAt ?? 0),
  };
}

/** How long a ticket's final state stays readable for polling and push snapshots. */
export const TICKET_RESULT_TTL_SECONDS = 7 * 24 * 3600;

export interface TicketStore {
  get(ticketId: string): Promise<TicketRecord | undefined>;
  listForUser(userId: string): Promise<TicketRecord[]>;
  /** Claim queued tickets for processing; the outcome per ticket id. */
  claim(ticketIds: readonly string[]): Promise<Map<string, ClaimOutcome>>;
  /** Record a final state; false when the ticket already had one (a redelivery). */
  recordResult(result: TicketResult): Promise<boolean>;
  /** `recordResult` for many tickets: one script call per sale instead of one per ticket. */
  recordResults(results: readonly TicketResult[]): Promise<boolean[]>;
}

/** The ticket state every app reads and the gateway and worker write. */
export function createTicketStore(options: { redis: Redis; resultTtlSeconds?: number }): TicketStore {
  const { redis } = options;
  const resultTtlSeconds = options.resultTtlSeconds ?? TICKET_RESULT_TTL_SECONDS;

  function keyOf(ticketId: string): string | undefined {
    const parsed = parseTicketId(ticketId);
    return parsed && redisKeys.ticket(parsed.saleId, ticketId);
  }

  return {
    async get(ticketId) {
      const key = keyOf(ticketId);
      return key ? toRecord(await redis.hgetall(key)) : undefined;
    },

    async listForUser(userId) {
      const ticketIds = await redis.smembers(redisKeys.userTickets(userId));
      const records = await Promise.all(ticketIds.map((ticketId) => this.get(ticketId)));
      return records.filter((record): record is TicketRecord => record !== undefined && record.userId === userId);
    },

    async claim(ticketIds) {
      // One script call per sale: every key of a sale shares a hash slot.
      const bySale = new Map<string, string[]>();
      const outcomes = new Map<string, ClaimOutcome>();
      for (const ticketId of ticketIds) {
        const parsed = parseTicketId(ticketId);
        if (!parsed) {
          outcomes.set(ticketId, 'MISSING');
          continue;
        }
        const ids = bySale.get(parsed.saleId);
        if (ids) ids.push(ticketId);
        else bySale.set(parsed.saleId, [ticketId]);
      }
      await Promise.all(
        [...bySale].map(async ([saleId, ids]) => {
          const keys = ids.map((ticketId) => redisKeys.ticket(saleId, ticketId));
          const claimed = (await redis.eval(CLAIM_SCRIPT, keys.length, ...keys)) as ClaimOutcome[];
          ids.forEach((ticketId, index) => outcomes.set(ticketId, claimed[index] ?? 'MISSING'));
        }),
      );
      return new Map(ticketIds.map((ticketId) => [ticketId, outcomes.get(ticketId) ?? 'MISSING']));
    },

    async recordResult(result) {
      const [recorded] = await this.recordResults([result]);
      return recorded === true;
    },

    async recordResults(results) {
      const bySale = new Map<string, number[]>();
      results.forEach((result, index) => {
        const ticket = parseTicketId(result.ticketId);
        if (!ticket) throw new Error(`malformed ticket id ${result.ticketId}`);
        const indexes = bySale.get(ticket.saleId);
        if (indexes) indexes.push(index);
        else bySale.set(ticket.saleId, [index]);
      });
      const recorded: boolean[] = results.map(() => false);
      await Promise.all(
        [...bySale].map(async ([saleId, indexes]) => {
          const keys = [redisKeys.queuedTickets(saleId)];
          const args = [String(resultTtlSeconds)];
          for (const index of indexes) {
            const result = results[index]!;
            keys.push(redisKeys.ticket(saleId, result.ticketId));
            args.push(
              result.ticketId,
              result.saleId,
              result.userId,
              result.status,
              result.orderId ?? '',
              result.reason ?? '',
              String(result.at),
              String(parseTicketId(result.ticketId)!.ticketNumber),
            );
          }
          const flags = (await redis.eval(RECORD_RESULTS_SCRIPT, keys.length, ...keys, ...args)) as number[];
          indexes.forEach((index, position) => (recorded[index] = flags[position] === 1));
        }),
      );
      // The per-user index lives outside the sale's slot: plain pipelined commands, each idempotent.
      const pipeline = redis.pipeline();
      for (const result of results) {
        const userTicketsKey = redisKeys.userTickets(result.userId);
        pipeline.sadd(userTicketsKey, result.ticketId).expire(userTicketsKey, resultTtlSeconds);
      }
      if (results.length > 0) {
        for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
      }
      return recorded;
    },
  };
}
