import { toTicketEvent, userTicketSubject, type TicketEvent } from '@seckill/contracts';
import type { ClosedTicketInput } from '@seckill/db';
import type { Logger } from '@seckill/platform';
import type { RedisState } from '@seckill/redis-state';
import type { Clock } from './clock';
import type { OrderProducer } from './order-producer';
import type { PrequeueDraw } from './prequeue-draw';

export interface OutboxRelayOptions {
  redisState: Pick<RedisState, 'activeSales' | 'sweepOutbox' | 'retireSale' | 'indexUserTickets'>;
  orderProducer: Pick<OrderProducer, 'send'>;
  /** Draws a lottery's pre-queue the sweep found due (the start passed and no purchase drew it yet). */
  prequeueDraw: PrequeueDraw;
  /** Persist reaped tickets in PostgreSQL, so a Redis loss cannot turn their late messages into orders. */
  closeTickets: (tickets: readonly ClosedTicketInput[]) => Promise<void>;
  publishTicketEvent: (subject: string, event: TicketEvent) => void;
  subjectPrefix: string;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  /** A ticket handed out for a re-send is due again after this long. */
  retryMs: number;
  /** Queued this long without reaching Kafka (and unclaimed): FAILED QUEUE_UNAVAILABLE, token back. */
  enqueueDeadlineMs: number;
  /** Most tickets per sale per pass. */
  batchLimit?: number;
  onSwept?: (counts: { relayed: number; reaped: number }) => void;
}

/**
 * The other half of the outbox: every gateway runs one. Each pass takes, per active sale, the
 * tickets whose Kafka message was not acknowledged in time (their gateway died, or Kafka
 * refused or stalled), re-produces them (the worker's idempotency makes a duplicate harmless) or,
 * past the enqueue deadline and if no worker claimed them, fails them and returns their stock.
 * The sweep script hands each due ticket to one gateway per retry delay, so gateways share the
 * work without a leader. It also draws a lottery's pre-queue at the start if no purchase did.
 */
export function createOutboxRelay(options: OutboxRelayOptions) {
  const { redisState, logger } = options;
  const limit = options.batchLimit ?? 1_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  async function sweepSale(saleId: string): Promise<{ relayed: number; reaped: number }> {
    const nowMs = options.clock();
    const sweep = await redisState.sweepOutbox(saleId, {
      nowMs,
      retryMs: options.retryMs,
      enqueueDeadlineMs: options.enqueueDeadlineMs,
      limit,
    });
    for (const entry of sweep.relay) {
      const { ticketId, ticketNumber, userId, admittedAt } = entry;
      // Not awaited: the acknowledgement clears the outbox; a failure leaves it due again.
      options.orderProducer.send({ v: 1, ticketId, ticketNumber, saleId, userId, requestedAt: admittedAt }).catch(() => undefined);
    }
    if (sweep.reaped.length > 0) {
      // Indexed first, so a push session that missed the event finds the result in its snapshot.
      await redisState
        .indexUserTickets(sweep.reaped)
        .catch((err: unknown) => logger.warn({ err, saleId }, 'could not index the reaped tickets'));
      for (const ticket of sweep.reaped) {
        const event = toTicketEvent({ ...ticket, status: 'FAILED', reason: 'QUEUE_UNAVAILABLE' }, nowMs);
        options.publishTicketEvent(userTicketSubject(ticket.userId, options.subjectPrefix), event);
      }
      await options
        .closeTickets(sweep.reaped.map((ticket) => ({ ...ticket, status: 'FAILED', reason: 'QUEUE_UNAVAILABLE' })))
        .catch((err: unknown) =>
          logger.error({ err, saleId, reaped: sweep.reaped.length }, 'could not record reaped tickets in PostgreSQL'),
        );
      logger.warn(
        { saleId, reaped: sweep.reaped.length },
        'tickets that Kafka did not take in time failed QUEUE_UNAVAILABLE; their stock is back',
      );
    }
    // A draw puts tickets in the outbox: the sale stays active for them, even one that ended undrawn.
    if (sweep.drawDue) await options.prequeueDraw.draw(saleId);
    else if (sweep.idle) await redisState.retireSale(saleId);
    return { relayed: sweep.relay.length, reaped: sweep.reaped.length };
  }

  async function sweepOnce(): Promise<{ relayed: number; reaped: number }> {
    const totals = { relayed: 0, reaped: 0 };
    for (const saleId of await redisState.activeSales()) {
      const counts = await sweepSale(saleId);
      totals.relayed += counts.relayed;
      totals.reaped += counts.reaped;
    }
    if (totals.relayed || totals.reaped) options.onSwept?.(totals);
    return totals;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweepOnce()
        .then(() => undefined)
        .catch((err: unknown) => logger.warn({ err }, 'outbox sweep failed; retrying next interval'))
        .finally(schedule);
    }, options.intervalMs);
    timer.unref();
  }

  return {
    sweepOnce,
    start(): void {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
export type OutboxRelay = ReturnType<typeof createOutboxRelay>;
