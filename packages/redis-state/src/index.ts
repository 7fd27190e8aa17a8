export { redisKeys } from './keys';
export { parseTicketRecord, type TicketRecord } from './ticket-record';
export { createRedisState, TICKET_RESULT_TTL_SECONDS, type RedisState } from './redis-state';
export type { AdmitReply, CancelReply, PurchaseLimits } from './admission';
export type { ClaimOutcome, TicketResult } from './tickets';
export type { OutboxEntry, OutboxSweep } from './outbox';
export type { DecidedTicket, SaleRuntime, SaleToLoad } from './sales';
