import { z } from 'zod';
import { ticketEventSchema } from './tickets';

/** Client -> server. Any other well-formed JSON message is ignored. */
export const pushAuthMessageSchema = z.object({ type: z.literal('auth'), token: z.string().min(1).max(4096) });
export const pushPingMessageSchema = z.object({ type: z.literal('ping') });
export const pushClientMessageSchema = z.discriminatedUnion('type', [pushAuthMessageSchema, pushPingMessageSchema]);
export type PushClientMessage = z.infer<typeof pushClientMessageSchema>;

/** Server -> client, after a successful auth and before the ticket snapshot. */
/** `expiresAt` (epoch ms): when the token ends the session, unless a fresh one is sent before. */
export const pushReadyMessageSchema = z.object({ type: z.literal('ready'), userId: z.string(), expiresAt: z.number().int().nonnegative() });
/** Server -> client: a fresh token sent on the open socket was accepted; the session now ends at `expiresAt`. */
export const pushReauthenticatedMessageSchema = z.object({ type: z.literal('reauthenticated'), expiresAt: z.number().int().nonnegative() });
/** Answer to a client `{ "type": "ping" }` (browsers cannot see protocol-level pings). */
export const pushPongMessageSchema = z.object({ type: z.literal('pong'), at: z.number().int().nonnegative() });

/**
 * Server -> client: ready, pong, ticket events (snapshot and live, same shape
 * as on NATS). Other event types published on the user's subject (e.g.
 * `{ "type": "order", ... }`) are forwarded as-is; clients ignore types they do not know.
 */
export const pushServerMessageSchema = z.discriminatedUnion('type', [
  pushReadyMessageSchema,
  pushReauthenticatedMessageSchema,
  pushPongMessageSchema,
  ticketEventSchema,
]);
export type PushServerMessage = z.infer<typeof pushServerMessageSchema>;
