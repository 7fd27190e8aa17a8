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

// Marks a queued ticket as taken by a worker, so a cancel can no longer win the race
// against its order being written. Returns the status the worker must act on.
const CLAIM_SCRIPT = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'MISSING' end
if status == 'QUEUED' then
  redis.call('HSET', KEYS[1], 'claimed', '1')
  return 'CLAIMED'
end
return status`;

// Records a final state once: a redelivered result with the same state is a no-op,
// a CANCELLED ticket is never overwritten. Leaves the queue; keeps the ticket for polling.
const RECORD_RESULT_SCRIPT = `
local status = redis.call('HGET', KEYS[1], 'status')
if status and status ~= 'QUEUED' then return 0 end
redis.call('HSET', KEYS[1], 'ticketId', ARGV[1], 'saleId', ARGV[2], 'userId', ARGV[3], 'status', ARGV[4], 'updatedAt', ARGV[7])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'orderId', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'reason', ARGV[6]) end
if not status then redis.call('HSET', KEYS[1], 'ticketNumber', ARGV[9]) end
redis.call('EXPIRE', KEYS[1], ARGV[8])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1`;

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

export interface TicketStore {
  get(ticketId: string): Promise<TicketRecord | undefined>;
  listForUser(userId: string): Promise<TicketRecord[]>;
  /** Claim queued tickets for processing; the outcome per ticket id. */
  claim(ticketIds: readonly string[]): Promise<Map<string, ClaimOutcome>>;
  /** Record a final state; false when the ticket already had one (a redelivery). */
  recordResult(result: TicketResult): Promise<boolean>;
}

/** The ticket state every app reads and the gateway and worker write. */
export function createTicketStore(options: { redis: Redis; resultTtlSeconds?: number }): TicketStore {
  const { redis } = options;
  const resultTtlSeconds = options.resultTtlSeconds ?? 7 * 24 * 3600;

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
      const outcomes = await Promise.all(
        ticketIds.map(async (ticketId) => {
          const key = keyOf(ticketId);
          const outcome = key ? ((await redis.eval(CLAIM_SCRIPT, 1, key)) as ClaimOutcome) : 'MISSING';
          return [ticketId, outcome] as const;
        }),
      );
      return new Map(outcomes);
    },

    async recordResult(result) {
      const ticket = parseTicketId(result.ticketId);
      if (!ticket) throw new Error(`malformed ticket id ${result.ticketId}`);
      const recorded = await redis.eval(
        RECORD_RESULT_SCRIPT,
        2,
        redisKeys.ticket(ticket.saleId, result.ticketId),
        redisKeys.queuedTickets(ticket.saleId),
        result.ticketId,
        result.saleId,
        result.userId,
        result.status,
        result.orderId ?? '',
        result.reason ?? '',
        String(result.at),
        String(resultTtlSeconds),
        String(ticket.ticketNumber),
      );
      const userTicketsKey = redisKeys.userTickets(result.userId);
      await redis.multi().sadd(userTicketsKey, result.ticketId).expire(userTicketsKey, resultTtlSeconds).exec();
      return recorded === 1;
    },
  };
}
