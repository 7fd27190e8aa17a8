export { createSeckillClient } from './client';
export type { BuyOptions, Purchase, SeckillClient, SeckillClientEvents, SeckillClientOptions, TicketUpdate } from './client';
export { createInlineChallengeSolver, solveChallenge, type ChallengeSolver } from './challenge/solver';
export { createWebWorkerChallengeSolver } from './challenge/web-worker-solver';
export { SeckillApiError, type ClientErrorCode } from './errors';
export { backoffDelay, type BackoffOptions } from './backoff';
export type { ConnectionState, ConnectionStatus } from './push-connection';
export type { FetchLike, ResponseLike, WebSocketConstructor, WebSocketLike } from './transport';
export type {
  OrderEvent,
  OrderView,
  PrequeueReceipt,
  PurchaseChallenge,
  SaleView,
  TicketReceipt,
  TicketStatus,
  TicketView,
} from '@seckill/contracts';
