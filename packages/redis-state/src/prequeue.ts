import { redisKeys, ticketIssuingKeys } from './keys';
import type { ScriptCall } from './scripts';

/** A ticket the lottery's draw issued (queued, in the outbox until Kafka acknowledges it). */
export interface DrawnTicket {
  userId: string;
  ticketId: string;
  ticketNumber: number;
}

export type DrawOutcome =
  /** Not a lottery sale, not started, or recovering from a Redis loss. */
  | { kind: 'NOT_DUE' | 'ALREADY_DRAWN' }
  /** This call drew: `entrants` were in the pre-queue, `tickets` went to the first of them in rank order. */
  | { kind: 'DRAWN'; entrants: number; tickets: DrawnTicket[] };

export function createPrequeueState(scripts: { drawPrequeue: ScriptCall }) {
  return {
    /** The lottery's draw (lua/draw-prequeue.lua): once per sale, atomic; any number of callers may race. */
    async drawPrequeue(saleId: string, options: { nowMs: number; relayAfterMs: number }): Promise<DrawOutcome> {
      const reply = (await scripts.drawPrequeue(ticketIssuingKeys(saleId), [
        options.nowMs,
        saleId,
        redisKeys.ticket(saleId, ''),
        options.relayAfterMs,
      ])) as ['NOT_DUE' | 'ALREADY_DRAWN'] | ['DRAWN', number, ...(string | number)[]];
      if (reply[0] !== 'DRAWN') return { kind: reply[0] };
      const [, entrants, ...flat] = reply;
      const tickets: DrawnTicket[] = [];
      for (let i = 0; i < flat.length; i += 3) {
        tickets.push({ userId: String(flat[i]), ticketId: String(flat[i + 1]), ticketNumber: Number(flat[i + 2]) });
      }
      return { kind: 'DRAWN', entrants, tickets };
    },
  };
}
