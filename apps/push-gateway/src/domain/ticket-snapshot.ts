import { toTicketEvent, type TicketEvent } from '@seckill/contracts';
import type { TicketOutcome } from '@seckill/db';
import type { Logger } from '@seckill/platform';
import type { PushEvent } from './session-registry';

/** A ticket event as the push registry delivers it (the snapshot sends what live events would). */
export function pushEventFromTicket(event: TicketEvent): PushEvent {
  return { text: JSON.stringify(event), type: event.type, at: event.at };
}

/**
 * The final tickets of a user that only PostgreSQL still knows (Redis lost them), for the part of
 * the snapshot sent after going live. PostgreSQL is asked with a deadline (the caller's); when it
 * does not answer, the session has Redis's snapshot alone and polling still falls back.
 */
export function createLostTicketLookup(options: {
  listFromPostgres: (userId: string) => Promise<TicketOutcome[]>;
  logger: Pick<Logger, 'debug'>;
}) {
  return async function listLostTickets(userId: string, known: ReadonlySet<string>): Promise<TicketEvent[]> {
    const outcomes = await options.listFromPostgres(userId).catch((err: unknown) => {
      options.logger.debug({ err, userId }, "PostgreSQL did not give the lost tickets; Redis's snapshot alone");
      return [];
    });
    return outcomes.filter((ticket) => !known.has(ticket.ticketId)).map((ticket) => toTicketEvent(ticket, ticket.decidedAt));
  };
}
