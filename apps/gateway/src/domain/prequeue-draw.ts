import type { Logger } from '@seckill/platform';
import type { DrawOutcome, RedisState } from '@seckill/redis-state';
import type { Clock } from './clock';
import type { OrderProducer } from './order-producer';

export interface PrequeueDraw {
  /** Draw the sale's pre-queue if it is due (any gateway, any number of times: one draw happens). */
  draw(saleId: string): Promise<DrawOutcome>;
}

/**
 * The lottery's draw at the start, triggered by whichever comes first on any gateway: a purchase
 * that the admission script answered DRAW_FIRST, or the outbox sweep seeing it due. The script
 * draws once, atomically; the drawn tickets are in the outbox like any admitted ticket, so their
 * orders reach Kafka even if this gateway dies right after (another gateway's relay re-sends them).
 */
export function createPrequeueDraw(options: {
  redisState: Pick<RedisState, 'drawPrequeue'>;
  orderProducer: Pick<OrderProducer, 'send'>;
  clock: Clock;
  logger: Logger;
  relayAfterMs: number;
  onDrawn?: (tickets: number) => void;
}): PrequeueDraw {
  const { redisState, clock, logger } = options;
  const inProgress = new Map<string, Promise<DrawOutcome>>();

  async function drawNow(saleId: string): Promise<DrawOutcome> {
    const nowMs = clock();
    const outcome = await redisState.drawPrequeue(saleId, { nowMs, relayAfterMs: options.relayAfterMs });
    if (outcome.kind !== 'DRAWN') return outcome;
    for (const { userId, ticketId, ticketNumber } of outcome.tickets) {
      // Not awaited: the acknowledgement clears the outbox; a failure leaves the ticket to the relay.
      options.orderProducer.send({ v: 1, ticketId, ticketNumber, saleId, userId, requestedAt: nowMs }).catch(() => undefined);
    }
    options.onDrawn?.(outcome.tickets.length);
    logger.info({ saleId, entrants: outcome.entrants, tickets: outcome.tickets.length }, 'drew the pre-queue');
    return outcome;
  }

  return {
    draw(saleId) {
      // One call per sale and process at a time: a herd of DRAW_FIRST answers waits on the same draw.
      let draw = inProgress.get(saleId);
      if (!draw) {
        draw = drawNow(saleId).finally(() => inProgress.delete(saleId));
        inProgress.set(saleId, draw);
      }
      return draw;
    },
  };
}
