import type { TicketEvent } from '@seckill/contracts';
import type { TicketRecord } from '@seckill/platform';
import type { PushEvent } from './session-registry';

/** A stored ticket as the push message a client would have received live. */
export function ticketEventFromRecord(record: TicketRecord): TicketEvent {
  return {
    type: 'ticket',
    ticketId: record.ticketId,
    saleId: record.saleId,
    status: record.status,
    ...(record.orderId ? { orderId: record.orderId } : {}),
    ...(record.reason ? { reason: record.reason } : {}),
    at: record.updatedAt,
  };
}

export function pushEventFromTicket(event: TicketEvent): PushEvent {
  return { text: JSON.stringify(event), type: event.type, at: event.at };
}
