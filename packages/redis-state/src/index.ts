export { redisKeys } from './keys';
export { parseTicketRecord, type TicketRecord } from './ticket-record';
export { createRedisState, TICKET_RESULT_TTL_SECONDS, type RedisState } from './redis-state';
export type { AdmitReply, CancelReply, PurchaseLimits, VerifiedChallenge } from './admission';
export type { DrawnTicket, DrawOutcome } from './prequeue';
export type { ClaimOutcome, TicketResult } from './tickets';
export type { OutboxEntry, OutboxSweep } from './outbox';
export type { DecidedTicket, SaleRuntime, SaleToLoad } from './sales';
