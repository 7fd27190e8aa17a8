import { z } from 'zod';
import { ticketEventSchema } from './tickets';

/** Client -> server. Any other well-formed JSON message is ignored. */
export const pushAuthMessageSchema = z.object({ type: z.literal('auth'), token: z.string().min(1).max(4096) });
export const pushPingMessageSchema = z.object({ type: z.literal('ping') });
export const pushClientMessageSchema = z.discriminatedUnion('type', [pushAuthMessageSchema, pushPingMessageSchema]);
export type PushClientMessage = z.infer<typeof pushClientMessageSchema>;

/** Server -> client, after a successful auth and before the ticket snapshot. */
export const pushReadyMessageSchema = z.object({ type: z.literal('ready'), userId: z.string() });
/** Answer to a client `{ "type": "ping" }` (browsers cannot see protocol-level pings). */
export const pushPongMessageSchema = z.object({ type: z.literal('pong'), at: z.number().int().nonnegative() });

/**
 * Server -> client: ready, pong, ticket events (snapshot and live, same shape
 * as on NATS). Other event types published on the user's subject (e.g.
 * `{ "type": "order", ... }`) are forwarded as-is; clients ignore types they do not know.
 */
export const pushServerMessageSchema = z.discriminatedUnion('type', [
  pushReadyMessageSchema,
  pushPongMessageSchema,
  ticketEventSchema,
]);
export type PushServerMessage = z.infer<typeof pushServerMessageSchema>;
