import {
  parseTicketId,
  redisKeys,
  SeckillError,
  toTicketEvent,
  userTicketSubject,
  type TicketEvent,
  type TicketView,
} from '@seckill/contracts';
import { TICKET_RESULT_TTL_SECONDS, type Logger, type TicketStore } from '@seckill/platform';
import type { Redis } from 'ioredis';
import type { Clock } from './clock';
import { defineRedisScript } from './redis-script';
import type { SoldOutMemory } from './sold-out-memory';
import type { WaitEstimator } from './wait-estimator';

// Cancels a ticket that is still queued and not claimed by a worker (ticketStore.claim sets
// `claimed`), atomically with giving its token back and releasing the user's hold.
// KEYS: ticket, queue, stock, users. ARGV: userId, ticketId, nowMs, ttlSeconds.
// Returns OK, NOT_FOUND, CLAIMED or the ticket's (final) status.
const CANCEL_SCRIPT = `
local ticket = redis.call('HMGET', KEYS[1], 'userId', 'status', 'claimed')
if not ticket[1] or ticket[1] ~= ARGV[1] then return 'NOT_FOUND' end
if ticket[2] ~= 'QUEUED' or ticket[3] == '1' then return ticket[2] == 'QUEUED' and 'CLAIMED' or ticket[2] end
redis.call('HSET', KEYS[1], 'status', 'CANCELLED', 'updatedAt', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('INCRBY', KEYS[3], 1)
if redis.call('HGET', KEYS[4], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[4], ARGV[1]) end
return 'OK'`;

export interface TicketService {
  /** The user's own ticket; someone else's is reported as not found, to not leak that it exists. */
  view(ticketId: string, userId: string): Promise<TicketView>;
  cancel(ticketId: string, userId: string): Promise<TicketView>;
}

export function createTicketService(options: {
  redis: Redis;
  ticketStore: TicketStore;
  estimator: WaitEstimator;
  soldOut: SoldOutMemory;
  publishTicketEvent: (subject: string, event: TicketEvent) => void;
  subjectPrefix: string;
  clock: Clock;
  logger: Logger;
  resultTtlSeconds?: number;
}): TicketService {
  const { redis, ticketStore, estimator, clock } = options;
  const cancelTicket = defineRedisScript<string>(redis, 'seckillCancelTicket', 4, CANCEL_SCRIPT);
  const resultTtlSeconds = options.resultTtlSeconds ?? TICKET_RESULT_TTL_SECONDS;

  const notFound = (ticketId: string) => new SeckillError('TICKET_NOT_FOUND', `No ticket ${ticketId}`);

  async function view(ticketId: string, userId: string): Promise<TicketView> {
    const ticket = await ticketStore.get(ticketId);
    if (!ticket || ticket.userId !== userId) throw notFound(ticketId);
    const base: TicketView = {
      ticketId: ticket.ticketId,
      saleId: ticket.saleId,
      ticketNumber: ticket.ticketNumber,
      status: ticket.status,
      ...(ticket.orderId ? { orderId: ticket.orderId } : {}),
      ...(ticket.reason ? { reason: ticket.reason } : {}),
    };
    if (ticket.status !== 'QUEUED') return base;
    const rank = await redis.zrank(redisKeys.queuedTickets(ticket.saleId), ticketId);
    const position = rank ?? 0; // claimed by a worker and leaving the queue: nobody ahead
    return { ...base, position, estimatedWaitMs: estimator.estimateWaitMs(position) };
  }

  return {
    view,

    async cancel(ticketId, userId) {
      const parsed = parseTicketId(ticketId);
      if (!parsed) throw notFound(ticketId);
      const { saleId } = parsed;
      const now = clock();
      const outcome = await cancelTicket(
        [redisKeys.ticket(saleId, ticketId), redisKeys.queuedTickets(saleId), redisKeys.stockTokens(saleId), redisKeys.ticketsByUser(saleId)],
        [userId, ticketId, now, resultTtlSeconds],
      );
      if (outcome === 'NOT_FOUND') throw notFound(ticketId);
      if (outcome !== 'OK') {
        const why = outcome === 'CLAIMED' ? 'is already being processed' : `is ${outcome}`;
        throw new SeckillError('TICKET_NOT_CANCELLABLE', `Ticket ${ticketId} ${why} and can no longer be cancelled`);
      }
      options.soldOut.forget(saleId);
      try {
        options.publishTicketEvent(userTicketSubject(userId, options.subjectPrefix), toTicketEvent({ ticketId, saleId, status: 'CANCELLED' }, now));
      } catch (error) {
        // The cancel is done; push sessions still see it in their reconnect snapshot and by polling.
        options.logger.warn({ err: error, ticketId }, 'could not publish the cancel event');
      }
      return view(ticketId, userId);
    },
  };
}
