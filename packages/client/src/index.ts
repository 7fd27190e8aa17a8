export { createSeckillClient } from './client';
export type { Purchase, SeckillClient, SeckillClientEvents, SeckillClientOptions, TicketUpdate } from './client';
export { SeckillApiError, type ClientErrorCode } from './errors';
export { backoffDelay, type BackoffOptions } from './backoff';
export type { ConnectionState, ConnectionStatus } from './push-connection';
export type { FetchLike, ResponseLike, WebSocketConstructor, WebSocketLike } from './transport';
export type { OrderEvent, SaleView, TicketReceipt, TicketStatus, TicketView } from '@seckill/contracts';
