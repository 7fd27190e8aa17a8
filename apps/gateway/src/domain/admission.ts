import { SeckillError, type OrderRequested, type PrequeueReceipt, type TicketReceipt, type TicketStatus } from '@seckill/contracts';
import { DeadlineExceededError, withDeadline, type Logger } from '@seckill/platform';
import type { AdmitReply, PurchaseLimits, RedisState, VerifiedChallenge } from '@seckill/redis-state';
import type { Clock } from './clock';
import type { OrderProducer } from './order-producer';
import type { PrequeueDraw } from './prequeue-draw';
import type { ChallengeProblem, PurchaseChallenges } from './purchase-challenges';
import type { SaleCatalog } from './sale-catalog';
import type { WaitEstimator } from './wait-estimator';

export type AdmissionOutcome =
  | 'admitted'
  | 'existing'
  | 'sold_out'
  | 'not_active'
  | 'queue_full'
  | 'rate_limited'
  | 'not_found'
  | 'unavailable'
  | 'recovering'
  | 'shed'
  | 'enqueue_pending'
  | 'prequeued'
  | 'challenge_required'
  | 'challenge_invalid';

export type AdmissionResult =
  | { kind: 'admitted' | 'existing'; receipt: TicketReceipt }
  /** In the lottery's pre-queue; the place is drawn at the start. */
  | { kind: 'prequeued'; receipt: PrequeueReceipt }
  /** The user's ticket of this sale already reached a final state. */
  | { kind: 'existing-final'; ticketId: string; ticketNumber: number; status: TicketStatus };

export interface Admission {
  /** `challenge`: the purchase challenge and its solution the request carried, if any. */
  admit(request: {
    saleId: string;
    userId: string;
    clientIp: string;
    challenge?: { challenge: string; solution: string };
  }): Promise<AdmissionResult>;
}

export interface AdmissionTimings {
  /** The Redis step (and a reload from PostgreSQL) must be done by then, or the answer is 503 and nothing is reserved. */
  admissionTimeoutMs: number;
  /** How long the answer waits for Kafka's acknowledgement before answering 202 anyway (the outbox has the ticket). */
  enqueueWaitMs: number;
  /** How long the outbox waits for the acknowledgement before a relay re-produces the ticket's message. */
  relayAfterMs: number;
}

/**
 * How late a Redis reply may arrive after the deadline and still be used: the script itself
 * refuses to admit after the deadline by Redis's clock, so this only covers the reply's way back
 * (and a clock skew of up to this much between gateway and Redis).
 */
const REPLY_GRACE_MS = 250;

/**
 * Admission of one purchase, in bounded time whatever Kafka, Redis or PostgreSQL are doing:
 * the atomic Redis step (lua/admit-ticket.lua: holder first, window, stock, queue, outbox), then
 * the order message. A 202 means the ticket is safe in the sale's outbox and will be called: by
 * the worker's result, or FAILED QUEUE_UNAVAILABLE if Kafka does not take it by the enqueue
 * deadline. A 503 means nothing was reserved.
 */
export function createAdmission(options: {
  redisState: Pick<RedisState, 'admitTicket' | 'cancelTicket'>;
  sales: Pick<SaleCatalog, 'ensureLoaded'>;
  orderProducer: Pick<OrderProducer, 'send'>;
  prequeueDraw: PrequeueDraw;
  challenges: Pick<PurchaseChallenges, 'verify'>;
  estimator: WaitEstimator;
  clock: Clock;
  logger: Logger;
  timings: AdmissionTimings;
  /** Purchase attempts per user and per client IP, per sale (checked in the admission script). */
  limits: PurchaseLimits;
  onOutcome?: (outcome: AdmissionOutcome) => void;
  /** A purchase met a sale recovering from a Redis loss (see sale-recovery.ts). */
  onRecovering?: (saleId: string) => void;
}): Admission {
  const { redisState, estimator, clock, logger, timings } = options;
  const count = (outcome: AdmissionOutcome) => options.onOutcome?.(outcome);

  function unavailable(cause?: unknown): SeckillError {
    count('unavailable');
    return new SeckillError('SERVICE_UNAVAILABLE', 'The ticket counter could not be reached in time; nothing was reserved, try again', {
      retryAfterSeconds: 1,
      cause,
    });
  }

  function receipt(saleId: string, ticketId: string, ticketNumber: number, position: number): TicketReceipt {
    return { ticketId, ticketNumber, saleId, status: 'QUEUED', position, estimatedWaitMs: estimator.estimateWaitMs(position) };
  }

  function queueFull(depth: number): SeckillError {
    // Ask the shopper back once about a tenth of the queue has been worked off.
    const retryAfterSeconds = Math.min(60, Math.max(1, Math.ceil(depth / 10 / estimator.ordersPerSecond())));
    return new SeckillError('QUEUE_FULL', 'The queue for this sale is full; try again shortly', { retryAfterSeconds });
  }

  /**
   * The Redis step, reloading the sale from PostgreSQL once if Redis lost it, and drawing the
   * lottery's pre-queue first when the script asks for it.
   */
  async function admitInRedis(request: Parameters<RedisState['admitTicket']>[0]): Promise<Exclude<AdmitReply, { kind: 'DRAW_FIRST' }>> {
    let reply = await redisState.admitTicket(request);
    if (reply.kind === 'SALE_NOT_FOUND') {
      if (!(await options.sales.ensureLoaded(request.saleId))) return reply;
      reply = await redisState.admitTicket(request);
      // It exists in PostgreSQL, and another gateway's reload is still putting it back.
      if (reply.kind === 'SALE_NOT_FOUND') return { kind: 'RECOVERING' };
    }
    if (reply.kind !== 'DRAW_FIRST') return reply;
    // Started, not drawn yet: draw (or wait for this process's draw in progress), then ask again.
    await options.prequeueDraw.draw(request.saleId);
    const again = await redisState.admitTicket(request);
    // Not drawn even now: only while the sale recovers from a Redis loss.
    return again.kind === 'DRAW_FIRST' ? { kind: 'RECOVERING' } : again;
  }

  function challengeInvalid(problem: ChallengeProblem | 'used'): SeckillError {
    count('challenge_invalid');
    const why = problem === 'used' ? 'was already used' : problem === 'not solved' ? 'is not solved' : `is ${problem}`;
    return new SeckillError(
      'CHALLENGE_INVALID',
      `The purchase challenge ${why}: get a new one (POST /api/sales/:saleId/challenge), solve it and buy again`,
    );
  }

  /** An admission whose reply came after this gateway answered 503: the shopper must not hold it. */
  function withdrawLateAdmission(saleId: string, userId: string, late: Promise<AdmitReply>): void {
    late
      .then(async (reply) => {
        if (reply.kind !== 'ADMITTED') return;
        const withdrawn = await redisState.cancelTicket({ saleId, ticketId: reply.ticketId, userId, nowMs: clock() });
        logger.warn({ ticketId: reply.ticketId, withdrawn: withdrawn.kind }, 'withdrew an admission answered 503');
      })
      .catch((err: unknown) => logger.warn({ err, saleId, userId }, 'a late admission could not be checked'));
  }

  /**
   * Produce the order; wait for Kafka's acknowledgement at most `enqueueWaitMs`, then answer
   * anyway. (The user's ticket index, the push snapshot's, is written with the result: a queued
   * ticket is known to the shopper from this answer, and the purchase stays one Redis command.)
   */
  async function enqueue(order: OrderRequested): Promise<void> {
    let waited: NodeJS.Timeout | undefined;
    const acknowledged = options.orderProducer.send(order).then(
      () => true,
      (err: unknown) => {
        logger.warn({ err, ticketId: order.ticketId }, 'Kafka did not take the order now; the outbox relay re-sends it');
        return false;
      },
    );
    const inTime = await Promise.race([
      acknowledged,
      new Promise<false>((resolve) => (waited = setTimeout(resolve, timings.enqueueWaitMs, false))),
    ]);
    clearTimeout(waited);
    if (!inTime) count('enqueue_pending');
  }

  return {
    async admit({ saleId, userId, clientIp, challenge: presented }) {
      const nowMs = clock();
      const deadlineMs = nowMs + timings.admissionTimeoutMs;
      // An invalid challenge is not passed on: the script then asks for one (if the sale does) after
      // giving a holder their ticket, who needs none.
      let challenge: VerifiedChallenge | undefined;
      let problem: ChallengeProblem | undefined;
      if (presented) {
        const verified = options.challenges.verify({ saleId, userId, ...presented });
        if ('problem' in verified) problem = verified.problem;
        else challenge = verified;
      }
      const decided = admitInRedis({
        saleId,
        userId,
        clientIp,
        nowMs,
        deadlineMs,
        relayAfterMs: timings.relayAfterMs,
        limits: options.limits,
        ...(challenge ? { challenge } : {}),
      });
      let reply: Awaited<typeof decided>;
      try {
        reply = await withDeadline(decided, timings.admissionTimeoutMs + REPLY_GRACE_MS, 'the admission');
      } catch (error) {
        if (error instanceof DeadlineExceededError) withdrawLateAdmission(saleId, userId, decided);
        throw unavailable(error);
      }
      switch (reply.kind) {
        case 'TOO_LATE':
          throw unavailable();
        case 'CHALLENGE_REQUIRED':
          if (problem) throw challengeInvalid(problem);
          count('challenge_required');
          throw new SeckillError(
            'CHALLENGE_REQUIRED',
            'This sale asks for a solved purchase challenge: POST /api/sales/:saleId/challenge, solve it, buy again with it',
          );
        case 'CHALLENGE_INVALID':
          throw challengeInvalid('used');
        case 'PREQUEUED': {
          count('prequeued');
          const drawsInMs = Math.max(0, reply.startsAtMs - nowMs);
          return {
            kind: 'prequeued',
            receipt: {
              saleId,
              status: 'PREQUEUED',
              drawsAt: new Date(reply.startsAtMs).toISOString(),
              drawsInMs,
              prequeueSize: reply.prequeueSize,
            },
          };
        }
        case 'RECOVERING':
          count('recovering');
          options.onRecovering?.(saleId);
          throw new SeckillError(
            'SERVICE_UNAVAILABLE',
            'This sale is being restored after an outage; nothing was reserved, try again in a moment',
            {
              retryAfterSeconds: 1,
            },
          );
        case 'SALE_NOT_FOUND':
          count('not_found');
          throw new SeckillError('SALE_NOT_FOUND', `No sale ${saleId}`);
        case 'SALE_NOT_ACTIVE':
          count('not_active');
          throw new SeckillError('SALE_NOT_ACTIVE', 'This sale is not open right now');
        case 'SOLD_OUT':
          count('sold_out');
          throw new SeckillError('SOLD_OUT', 'This sale is sold out');
        case 'QUEUE_FULL':
          count('queue_full');
          throw queueFull(reply.queueDepth);
        case 'RATE_LIMITED': {
          count('rate_limited');
          const retryAfterSeconds = Math.max(1, Math.ceil(reply.retryAfterMs / 1000));
          throw new SeckillError('RATE_LIMITED', `Too many attempts; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
        }
        case 'EXISTING': {
          count('existing');
          const { ticketId, ticketNumber, status, position } = reply;
          if (status !== 'QUEUED') return { kind: 'existing-final', ticketId, ticketNumber, status };
          // Claimed by a worker and leaving the queue: nobody ahead.
          return { kind: 'existing', receipt: receipt(saleId, ticketId, ticketNumber, position ?? 0) };
        }
        case 'ADMITTED': {
          const { ticketId, ticketNumber, position } = reply;
          await enqueue({ v: 1, ticketId, ticketNumber, saleId, userId, requestedAt: nowMs });
          count('admitted');
          return { kind: 'admitted', receipt: receipt(saleId, ticketId, ticketNumber, position) };
        }
      }
    },
  };
}
