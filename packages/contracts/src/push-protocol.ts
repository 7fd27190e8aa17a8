// Kept free of zod: the browser SDK imports this module, and zod would dominate its bundle.
/**
 * WebSocket push protocol (push-gateway <-> client SDK). Documented in
 * apps/push-gateway/README.md; both sides import these constants.
 */
export const PUSH_PATH = '/ws';
/** Subprotocol a client offers (and the server selects) when it sends its token in `Sec-WebSocket-Protocol`. */
export const PUSH_SUBPROTOCOL = 'seckill.v1';
/** Second offered subprotocol carrying the JWT: `bearer.<JWT>` (JWT characters are valid header tokens). */
export const PUSH_BEARER_PROTOCOL_PREFIX = 'bearer.';

/** `new WebSocket(url, pushProtocols(token))` authenticates at the handshake. */
export function pushProtocols(token: string): string[] {
  return [PUSH_SUBPROTOCOL, `${PUSH_BEARER_PROTOCOL_PREFIX}${token}`];
}

/**
 * Close codes the server uses; `isRetriablePushClose` says whether a client should reconnect
 * (with backoff, preferably to another node) or stop and surface the problem.
 */
export const pushCloseCodes = {
  /** Bad, expired or missing token, or no auth message within the deadline. */
  UNAUTHORIZED: 4001,
  /** The user already holds the maximum number of sessions. */
  TOO_MANY_SESSIONS: 4002,
  /** Origin not in the allowlist (an upgrade with a bad Origin is refused with HTTP 403 instead). */
  ORIGIN_NOT_ALLOWED: 4003,
  /**
   * The session's token expired before a fresh one was sent (`{ "type": "auth", token }` on the
   * open socket): reconnect with a fresh token; the snapshot brings back what was missed.
   */
  TOKEN_EXPIRED: 4004,
  /** The client read too slowly: the server's send buffer passed its limit. */
  SLOW_CONSUMER: 4008,
  /** Binary frame or text that is not JSON. */
  PROTOCOL_VIOLATION: 4009,
  /** Too many client messages per second. */
  RATE_LIMITED: 4010,
  /** Standard: a message above the server's max payload. */
  MESSAGE_TOO_BIG: 1009,
  /** Standard "service restart": the node is draining; reconnect (to another node) at once. */
  SERVICE_RESTART: 1012,
} as const;
export type PushCloseCodeName = keyof typeof pushCloseCodes;
export type PushCloseCode = (typeof pushCloseCodes)[PushCloseCodeName];

/** Whether a client should reconnect after the server closed with `code`. */
export function isRetriablePushClose(code: number): boolean {
  return (
    code !== pushCloseCodes.UNAUTHORIZED &&
    code !== pushCloseCodes.ORIGIN_NOT_ALLOWED &&
    code !== pushCloseCodes.MESSAGE_TOO_BIG &&
    code !== pushCloseCodes.PROTOCOL_VIOLATION
  );
}
