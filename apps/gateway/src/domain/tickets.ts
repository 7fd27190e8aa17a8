import { parseTicketId, SeckillError, toTicketEvent, userTicketSubject, type TicketEvent, type TicketView } from '@seckill/contracts';
import type { ClosedTicketInput, TicketOutcome } from '@seckill/db';
import type { Logger } from '@seckill/platform';
import type { RedisState } from '@seckill/redis-state';
import type { Clock } from './clock';
import type { WaitEstimator } from './wait-estimator';

export interface TicketService {
  /** The user's own ticket; someone else's is reported as not found, to not leak that it exists. */
  view(ticketId: string, userId: string): Promise<TicketView>;
  cancel(ticketId: string, userId: string): Promise<TicketView>;
}

export function createTicketService(options: {
  redisState: Pick<RedisState, 'getTicket' | 'queuePosition' | 'cancelTicket' | 'indexUserTickets'>;
  /** PostgreSQL's final state of a ticket: the answer when Redis lost the ticket. */
  findOutcome: (ticketId: string) => Promise<TicketOutcome | undefined>;
  /** Persist a cancel in PostgreSQL, so a Redis loss cannot turn the ticket's message into an order. */
  closeTickets: (tickets: readonly ClosedTicketInput[]) => Promise<void>;
  estimator: WaitEstimator;
  publishTicketEvent: (subject: string, event: TicketEvent) => void;
  subjectPrefix: string;
  clock: Clock;
  logger: Logger;
}): TicketService {
  const { redisState, estimator, clock, logger } = options;

  const notFound = (ticketId: string) => new SeckillError('TICKET_NOT_FOUND', `No ticket ${ticketId}`);

  async function view(ticketId: string, userId: string): Promise<TicketView> {
    const ticket = (await redisState.getTicket(ticketId)) ?? (await options.findOutcome(ticketId));
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
    // Claimed by a worker and leaving the queue: nobody ahead.
    const position = (await redisState.queuePosition(ticket.saleId, ticketId)) ?? 0;
    return { ...base, position, estimatedWaitMs: estimator.estimateWaitMs(position) };
  }

  return {
    view,

    async cancel(ticketId, userId) {
      const parsed = parseTicketId(ticketId);
      if (!parsed) throw notFound(ticketId);
      const { saleId } = parsed;
      const now = clock();
      const outcome = await redisState.cancelTicket({ saleId, ticketId, userId, nowMs: now });
      if (outcome.kind === 'NOT_FOUND') throw notFound(ticketId);
      if (outcome.kind !== 'OK') {
        const why = outcome.kind === 'FINAL' ? `is ${outcome.status}` : 'is already being processed';
        throw new SeckillError('TICKET_NOT_CANCELLABLE', `Ticket ${ticketId} ${why} and can no longer be cancelled`);
      }
      // In the user's index, a push session that (re)connects finds the cancel in its Redis snapshot
      // even if it missed the event (the PostgreSQL fallback may time out in a reconnect storm).
      await redisState
        .indexUserTickets([{ userId, ticketId }])
        .catch((err: unknown) => logger.warn({ err, ticketId }, 'could not index the cancelled ticket'));
      // The cancel is done in Redis; PostgreSQL only needs it should Redis later lose the ticket.
      await options
        .closeTickets([{ ticketId, saleId, userId, ticketNumber: outcome.ticketNumber, status: 'CANCELLED' }])
        .catch((err: unknown) => logger.error({ err, ticketId }, 'could not record the cancel in PostgreSQL'));
      try {
        options.publishTicketEvent(
          userTicketSubject(userId, options.subjectPrefix),
          toTicketEvent({ ticketId, saleId, status: 'CANCELLED' }, now),
        );
      } catch (error) {
        // Push sessions still see it in their reconnect snapshot and by polling.
        logger.warn({ err: error, ticketId }, 'could not publish the cancel event');
      }
      return view(ticketId, userId);
    },
  };
}
