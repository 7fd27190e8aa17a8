import { z } from 'zod';
import type { TicketEvent } from './tickets';

/** Client -> server. Any other well-formed JSON message is ignored. */
export const pushAuthMessageSchema = z.object({ type: z.literal('auth'), token: z.string().min(1).max(4096) });
export const pushPingMessageSchema = z.object({ type: z.literal('ping') });
export const pushClientMessageSchema = z.discriminatedUnion('type', [pushAuthMessageSchema, pushPingMessageSchema]);
export type PushClientMessage = z.infer<typeof pushClientMessageSchema>;

/**
 * Server -> client: ready (after a successful auth and before the ticket snapshot), reauthenticated
 * (a fresh token sent on the open socket was accepted), pong (answer to a client ping: browsers
 * cannot see protocol-level pings), ticket events (snapshot and live, same shape as on NATS).
 * `expiresAt` (epoch ms): when the token ends the session, unless a fresh one is sent before.
 * Other event types published on the user's subject (e.g. `{ "type": "order", ... }`) are forwarded
 * as-is; clients ignore types they do not know. A type, not a schema: only the server writes them.
 */
export type PushServerMessage =
  | { type: 'ready'; userId: string; expiresAt: number }
  | { type: 'reauthenticated'; expiresAt: number }
  | { type: 'pong'; at: number }
  | TicketEvent;
