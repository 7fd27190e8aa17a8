import { randomInt } from 'node:crypto';
import type { TicketStatus } from '@seckill/contracts';
import { redisKeys, ticketIssuingKeys } from './keys';
import type { ScriptCall } from './scripts';

export type AdmitReply =
  /** Redis ran the script after the caller's deadline: nothing was admitted. */
  | { kind: 'TOO_LATE' | 'SALE_NOT_FOUND' | 'SALE_NOT_ACTIVE' | 'SOLD_OUT' }
  /** Reloaded after a Redis loss, the sale admits nobody new until the tickets in flight are decided. */
  | { kind: 'RECOVERING' }
  | { kind: 'QUEUE_FULL'; queueDepth: number }
  /** Over this sale's per-user or per-IP limit; retry after `retryAfterMs`. */
  | { kind: 'RATE_LIMITED'; retryAfterMs: number }
  /** The user already holds this ticket of the sale; position only while queued. */
  | { kind: 'EXISTING'; ticketId: string; ticketNumber: number; status: TicketStatus; position: number | undefined }
  | { kind: 'ADMITTED'; ticketId: string; ticketNumber: number; position: number }
  /** Before the start of a lottery sale: the user is in its pre-queue (of `prequeueSize` shoppers), drawn at `startsAtMs`. */
  | { kind: 'PREQUEUED'; prequeueSize: number; startsAtMs: number }
  /** The sale started and its pre-queue is not drawn yet: draw it (`drawPrequeue`), then ask again. */
  | { kind: 'DRAW_FIRST' }
  /** The sale wants a solved challenge and none came (or an invalid one: the caller passed none). */
  | { kind: 'CHALLENGE_REQUIRED' }
  /** The challenge was already used. */
  | { kind: 'CHALLENGE_INVALID' };

/** A purchase challenge the caller verified (signature, user, sale, expiry and proof of work). */
export interface VerifiedChallenge {
  /** Unique per challenge: it can be used once. */
  nonce: string;
  difficulty: number;
  expiresAtMs: number;
}

/** A pre-queue rank: uniform over 2^48 values, exact as a Redis score (a double), ties all but impossible. */
const PREQUEUE_RANKS = 2 ** 48 - 1;

/** Purchase attempts allowed per user and per client IP, per sale and window; 0 turns one off. */
export interface PurchaseLimits {
  perUser: number;
  perIp: number;
  windowMs: number;
}
const NO_LIMITS: PurchaseLimits = { perUser: 0, perIp: 0, windowMs: 60_000 };

export type CancelReply =
  { kind: 'OK'; ticketNumber: number } | { kind: 'NOT_FOUND' | 'CLAIMED' } | { kind: 'FINAL'; status: TicketStatus };

type RawAdmitReply =
  | [
      | 'TOO_LATE'
      | 'SALE_NOT_FOUND'
      | 'SALE_NOT_ACTIVE'
      | 'SOLD_OUT'
      | 'RECOVERING'
      | 'DRAW_FIRST'
      | 'CHALLENGE_REQUIRED'
      | 'CHALLENGE_INVALID',
    ]
  | ['PREQUEUED', number, number]
  | ['QUEUE_FULL', number]
  | ['RATE_LIMITED', number]
  | ['EXISTING', string, number, TicketStatus, number]
  | ['ADMITTED', string, number, number];

export function createAdmissionState(scripts: { admitTicket: ScriptCall; cancelTicket: ScriptCall }, resultTtlSeconds: number) {
  return {
    /**
     * The atomic admission (see lua/admit-ticket.lua), the purchase's one Redis command.
     * `deadlineMs` is when the caller stops waiting; `relayAfterMs` how long the outbox waits for
     * Kafka's acknowledgement before a relay re-produces the ticket's message; `limits` are
     * attempts per window and per sale (0: off).
     */
    async admitTicket(request: {
      saleId: string;
      userId: string;
      nowMs: number;
      deadlineMs: number;
      relayAfterMs: number;
      clientIp?: string;
      limits?: PurchaseLimits;
      challenge?: VerifiedChallenge;
    }): Promise<AdmitReply> {
      const { saleId } = request;
      const limits = request.limits ?? NO_LIMITS;
      const { challenge } = request;
      const reply = (await scripts.admitTicket(ticketIssuingKeys(saleId), [
        request.userId,
        request.nowMs,
        saleId,
        redisKeys.ticket(saleId, ''),
        request.deadlineMs,
        request.relayAfterMs,
        redisKeys.purchaseRatePrefix(saleId),
        request.clientIp ?? '',
        limits.perUser,
        request.clientIp ? limits.perIp : 0,
        limits.windowMs,
        challenge ? redisKeys.usedChallengePrefix(saleId) + challenge.nonce : '',
        challenge?.difficulty ?? 0,
        // The used marker outlives the challenge (a second of clock skew between gateways).
        challenge ? Math.max(1, challenge.expiresAtMs - request.nowMs) + 1_000 : 1,
        randomInt(PREQUEUE_RANKS),
      ])) as RawAdmitReply;
      switch (reply[0]) {
        case 'QUEUE_FULL':
          return { kind: 'QUEUE_FULL', queueDepth: reply[1] };
        case 'RATE_LIMITED':
          return { kind: 'RATE_LIMITED', retryAfterMs: Math.max(1, reply[1]) };
        case 'EXISTING':
          return {
            kind: 'EXISTING',
            ticketId: reply[1],
            ticketNumber: reply[2],
            status: reply[3],
            position: reply[4] >= 0 ? reply[4] : undefined,
          };
        case 'ADMITTED':
          return { kind: 'ADMITTED', ticketId: reply[1], ticketNumber: reply[2], position: reply[3] };
        case 'PREQUEUED':
          return { kind: 'PREQUEUED', prequeueSize: reply[1], startsAtMs: reply[2] };
        default:
          return { kind: reply[0] };
      }
    },

    /** Cancel the owner's queued, unclaimed ticket; its token goes back to the sale. */
    async cancelTicket(request: { saleId: string; ticketId: string; userId: string; nowMs: number }): Promise<CancelReply> {
      const { saleId, ticketId } = request;
      const [outcome, ticketNumber] = (await scripts.cancelTicket(
        [
          redisKeys.ticket(saleId, ticketId),
          redisKeys.queuedTickets(saleId),
          redisKeys.stockTokens(saleId),
          redisKeys.ticketsByUser(saleId),
          redisKeys.outbox(saleId),
        ],
        [request.userId, ticketId, request.nowMs, resultTtlSeconds],
      )) as [string, number?];
      if (outcome === 'OK') return { kind: 'OK', ticketNumber: ticketNumber ?? 0 };
      if (outcome === 'NOT_FOUND' || outcome === 'CLAIMED') return { kind: outcome };
      return { kind: 'FINAL', status: outcome as TicketStatus };
    },
  };
}
