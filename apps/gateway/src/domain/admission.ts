import {
  redisKeys,
  SeckillError,
  type OrderRequested,
  type TicketReceipt,
  type TicketStatus,
} from '@seckill/contracts';
import type { Logger } from '@seckill/platform';
import type { Redis } from 'ioredis';
import type { Clock } from './clock';
import type { OrderProducer } from './order-producer';
import { defineRedisScript } from './redis-script';
import type { SaleCatalog } from './sale-catalog';
import type { SoldOutMemory } from './sold-out-memory';
import type { WaitEstimator } from './wait-estimator';

// One atomic admission: window, one ticket per user, stock token, queue capacity, then the
// ticket. Every key shares the sale's hash tag; the ticket keys are built here from the tag
// (their id is only known inside the script), which stays within the sale's slot on a cluster.
// KEYS: info, stock, seq, queue, users. ARGV: userId, nowMs, saleId, ticketKeyPrefix.
const ADMIT_SCRIPT = `
local info = redis.call('HMGET', KEYS[1], 'startsAtMs', 'endsAtMs', 'queueCapacity')
if not info[1] then return {'SALE_NOT_FOUND'} end
local now = tonumber(ARGV[2])
if now < tonumber(info[1]) or now >= tonumber(info[2]) then return {'SALE_NOT_ACTIVE'} end
local held = redis.call('HGET', KEYS[5], ARGV[1])
if held then
  local ticket = redis.call('HMGET', ARGV[4] .. held, 'ticketNumber', 'status')
  if ticket[1] then
    return {'EXISTING', held, tonumber(ticket[1]), ticket[2], redis.call('ZRANK', KEYS[4], held) or -1}
  end
end
local stock = tonumber(redis.call('GET', KEYS[2]) or '0')
if stock <= 0 then return {'SOLD_OUT'} end
local depth = redis.call('ZCARD', KEYS[4])
if depth >= tonumber(info[3]) then return {'QUEUE_FULL', depth} end
local left = redis.call('DECR', KEYS[2])
local number = redis.call('INCR', KEYS[3])
local ticketId = ARGV[3] .. '.' .. number
redis.call('HSET', ARGV[4] .. ticketId, 'ticketId', ticketId, 'saleId', ARGV[3], 'userId', ARGV[1],
  'ticketNumber', number, 'status', 'QUEUED', 'updatedAt', ARGV[2])
redis.call('ZADD', KEYS[4], number, ticketId)
redis.call('HSET', KEYS[5], ARGV[1], ticketId)
return {'ADMITTED', ticketId, number, 'QUEUED', redis.call('ZRANK', KEYS[4], ticketId), left}`;

// Undoes an admission whose Kafka message was not acknowledged: queue entry and user hold gone,
// the token back unless a cancel already returned it. The ticket stays as a CANCELLED tombstone
// (reason NOT_ENQUEUED) rather than being deleted: a send that failed ambiguously may still have
// reached Kafka, and the worker's claim must then skip it instead of ordering for a shopper who
// was told 503. KEYS: stock, queue, users, ticket. ARGV: ticketId, userId, nowMs, tombstoneTtlSeconds.
const UNDO_ADMISSION_SCRIPT = `
local status = redis.call('HGET', KEYS[4], 'status')
if not status then return 0 end
redis.call('HSET', KEYS[4], 'status', 'CANCELLED', 'reason', 'NOT_ENQUEUED', 'updatedAt', ARGV[3])
redis.call('EXPIRE', KEYS[4], ARGV[4])
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('HGET', KEYS[3], ARGV[2]) == ARGV[1] then redis.call('HDEL', KEYS[3], ARGV[2]) end
if status == 'QUEUED' then redis.call('INCR', KEYS[1]) end
return 1`;

/** Long enough to outlive any redelivery of a message whose send failed ambiguously. */
const UNDONE_TICKET_TTL_SECONDS = 24 * 3600;

type AdmitReply =
  | ['SALE_NOT_FOUND' | 'SALE_NOT_ACTIVE' | 'SOLD_OUT']
  | ['QUEUE_FULL', number]
  | ['EXISTING', string, number, TicketStatus, number]
  | ['ADMITTED', string, number, 'QUEUED', number, number];

export type AdmissionOutcome = 'admitted' | 'existing' | 'sold_out' | 'sold_out_memory' | 'not_active' | 'queue_full' | 'not_found' | 'kafka_failed';

export type AdmissionResult =
  | { kind: 'admitted' | 'existing'; receipt: TicketReceipt }
  /** The user's ticket of this sale already reached a final state. */
  | { kind: 'existing-final'; ticketId: string; ticketNumber: number; status: TicketStatus };

export interface Admission {
  admit(request: { saleId: string; userId: string }): Promise<AdmissionResult>;
}

export function createAdmission(options: {
  redis: Redis;
  sales: Pick<SaleCatalog, 'ensureLoaded'>;
  orderProducer: OrderProducer;
  estimator: WaitEstimator;
  soldOut: SoldOutMemory;
  clock: Clock;
  logger: Logger;
  onOutcome?: (outcome: AdmissionOutcome) => void;
}): Admission {
  const { redis, estimator, soldOut, clock, logger } = options;
  const admitTicket = defineRedisScript<AdmitReply>(redis, 'seckillAdmitTicket', 5, ADMIT_SCRIPT);
  const undoAdmission = defineRedisScript<number>(redis, 'seckillUndoAdmission', 4, UNDO_ADMISSION_SCRIPT);
  const count = (outcome: AdmissionOutcome) => options.onOutcome?.(outcome);

  function runScript(saleId: string, userId: string, now: number): Promise<AdmitReply> {
    return admitTicket(
      [
        redisKeys.saleInfo(saleId),
        redisKeys.stockTokens(saleId),
        redisKeys.ticketSequence(saleId),
        redisKeys.queuedTickets(saleId),
        redisKeys.ticketsByUser(saleId),
      ],
      [userId, now, saleId, redisKeys.ticket(saleId, '')],
    );
  }

  function receipt(saleId: string, ticketId: string, ticketNumber: number, position: number): TicketReceipt {
    return { ticketId, ticketNumber, saleId, status: 'QUEUED', position, estimatedWaitMs: estimator.estimateWaitMs(position) };
  }

  function queueFull(depth: number): SeckillError {
    // Ask the shopper back once about a tenth of the queue has been worked off.
    const retryAfterSeconds = Math.min(60, Math.max(1, Math.ceil(depth / 10 / estimator.ordersPerSecond())));
    return new SeckillError('QUEUE_FULL', 'The queue for this sale is full; try again shortly', { retryAfterSeconds });
  }

  async function undo(order: OrderRequested): Promise<void> {
    const { saleId, userId, ticketId } = order;
    await undoAdmission(
      [redisKeys.stockTokens(saleId), redisKeys.queuedTickets(saleId), redisKeys.ticketsByUser(saleId), redisKeys.ticket(saleId, ticketId)],
      [ticketId, userId, String(clock()), String(UNDONE_TICKET_TTL_SECONDS)],
    );
    await redis.srem(redisKeys.userTickets(userId), ticketId);
    soldOut.forget(saleId);
  }

  async function produce(order: OrderRequested): Promise<void> {
    // The user's ticket index only feeds the push snapshot: losing an entry must not fail the purchase.
    const indexed = redis.sadd(redisKeys.userTickets(order.userId), order.ticketId).catch((error: unknown) => {
      logger.warn({ err: error, ticketId: order.ticketId }, 'could not index the ticket for its user');
    });
    try {
      await options.orderProducer.send(order);
    } catch (error) {
      await indexed;
      logger.warn({ err: error, ticketId: order.ticketId }, 'kafka did not take the order; undoing the admission');
      try {
        await undo(order);
      } catch (undoError) {
        logger.error({ err: undoError, ticketId: order.ticketId }, 'could not undo an admission whose message was lost');
      }
      count('kafka_failed');
      throw new SeckillError('SERVICE_UNAVAILABLE', 'The order queue is unavailable; nothing was reserved, try again', {
        retryAfterSeconds: 1,
        cause: error,
      });
    }
    await indexed;
  }

  return {
    async admit({ saleId, userId }) {
      if (soldOut.isSoldOut(saleId)) {
        count('sold_out_memory');
        throw new SeckillError('SOLD_OUT', 'This sale is sold out');
      }
      const now = clock();
      let reply = await runScript(saleId, userId, now);
      if (reply[0] === 'SALE_NOT_FOUND') {
        if (!(await options.sales.ensureLoaded(saleId))) {
          count('not_found');
          throw new SeckillError('SALE_NOT_FOUND', `No sale ${saleId}`);
        }
        reply = await runScript(saleId, userId, now);
      }
      switch (reply[0]) {
        case 'SALE_NOT_FOUND':
          count('not_found');
          throw new SeckillError('SALE_NOT_FOUND', `No sale ${saleId}`);
        case 'SALE_NOT_ACTIVE':
          count('not_active');
          throw new SeckillError('SALE_NOT_ACTIVE', 'This sale is not open right now');
        case 'SOLD_OUT':
          soldOut.remember(saleId);
          count('sold_out');
          throw new SeckillError('SOLD_OUT', 'This sale is sold out');
        case 'QUEUE_FULL':
          count('queue_full');
          throw queueFull(reply[1]);
        case 'EXISTING': {
          const [, ticketId, ticketNumber, status, rank] = reply;
          count('existing');
          if (status !== 'QUEUED') return { kind: 'existing-final', ticketId, ticketNumber, status };
          return { kind: 'existing', receipt: receipt(saleId, ticketId, ticketNumber, Math.max(0, rank)) };
        }
        case 'ADMITTED': {
          const [, ticketId, ticketNumber, , position, stockLeft] = reply;
          if (stockLeft <= 0) soldOut.remember(saleId);
          await produce({ v: 1, ticketId, ticketNumber, saleId, userId, requestedAt: now });
          count('admitted');
          return { kind: 'admitted', receipt: receipt(saleId, ticketId, ticketNumber, position) };
        }
      }
    },
  };
}
