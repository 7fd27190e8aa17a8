import { toTicketEvent, type TicketEvent } from '@seckill/contracts';
import type { TicketOutcome } from '@seckill/db';
import type { Logger } from '@seckill/platform';
import type { TicketRecord } from '@seckill/redis-state';
import type { PushEvent } from './session-registry';

/** A ticket event as the push registry delivers it (the snapshot sends what live events would). */
export function pushEventFromTicket(event: TicketEvent): PushEvent {
  return { text: JSON.stringify(event), type: event.type, at: event.at };
}

/**
 * The snapshot a (re)connecting session gets first: the user's tickets as Redis holds them, and
 * the final ones only PostgreSQL still knows (Redis lost them). PostgreSQL is asked with a
 * deadline; when it does not answer, the snapshot is Redis's alone (polling still falls back).
 */
export function createTicketSnapshot(options: {
  listFromRedis: (userId: string) => Promise<TicketRecord[]>;
  listFromPostgres: (userId: string) => Promise<TicketOutcome[]>;
  logger: Pick<Logger, 'warn'>;
}) {
  return async function listTickets(userId: string): Promise<TicketEvent[]> {
    const [inRedis, inPostgres] = await Promise.all([
      options.listFromRedis(userId),
      options.listFromPostgres(userId).catch((err: unknown) => {
        options.logger.warn({ err, userId }, 'PostgreSQL did not give the snapshot; Redis alone');
        return [];
      }),
    ]);
    const known = new Set(inRedis.map((ticket) => ticket.ticketId));
    return [
      ...inRedis.map((ticket) => toTicketEvent(ticket, ticket.updatedAt)),
      ...inPostgres.filter((ticket) => !known.has(ticket.ticketId)).map((ticket) => toTicketEvent(ticket, ticket.decidedAt)),
    ];
  };
}
