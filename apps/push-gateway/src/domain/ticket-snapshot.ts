import type { TicketEvent } from '@seckill/contracts';
import type { PushEvent } from './session-registry';

/** A ticket event as the push registry delivers it (the snapshot sends what live events would). */
export function pushEventFromTicket(event: TicketEvent): PushEvent {
  return { text: JSON.stringify(event), type: event.type, at: event.at };
}
