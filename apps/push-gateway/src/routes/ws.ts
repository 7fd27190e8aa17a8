import { errorBody, PUSH_BEARER_PROTOCOL_PREFIX, PUSH_PATH, PUSH_SUBPROTOCOL } from '@seckill/contracts';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WebSocket } from 'ws';
import type { ConnectionHandler } from '../domain/connection-handler';

/** The JWT of `Sec-WebSocket-Protocol: seckill.v1, bearer.<JWT>`, if offered. */
export function protocolTokenOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const offered = header.split(',').map((protocol) => protocol.trim());
  if (!offered.includes(PUSH_SUBPROTOCOL)) return undefined;
  const bearer = offered.find((protocol) => protocol.startsWith(PUSH_BEARER_PROTOCOL_PREFIX));
  return bearer?.slice(PUSH_BEARER_PROTOCOL_PREFIX.length);
}

export function isOriginAllowed(origin: string | undefined, allowedOrigins: readonly string[]): boolean {
  // Browsers always send Origin; Node clients (SDK, load tools) usually do not and cannot be cross-site-scripted.
  if (origin === undefined) return true;
  return allowedOrigins.includes('*') || allowedOrigins.includes(origin);
}

/**
 * @fastify/websocket keeps the upgrade's request, reply and raw HTTP objects alive for the
 * socket's lifetime (its error listener closes over them, and the raw socket still points
 * at the ServerResponse): a few KiB per idle session. Swap in one shared error listener and
 * detach the response, so only the WebSocket and its TCP socket stay.
 */
function releaseUpgradeRequest(socket: WebSocket, request: FastifyRequest, onSocketError: (this: WebSocket, error: Error) => void): void {
  socket.removeAllListeners('error');
  socket.on('error', onSocketError);
  const raw = request.raw.socket as Socket & { _httpMessage?: ServerResponse | null };
  if (raw._httpMessage) raw._httpMessage.detachSocket(raw);
}

/** `GET /ws`: refused before the upgrade when draining (503) or from a foreign Origin (403). */
export default async function wsRoutes(
  fastify: FastifyInstance,
  options: { connections: ConnectionHandler; allowedOrigins: readonly string[] },
) {
  const { connections, allowedOrigins } = options;

  function onSocketError(this: WebSocket, error: Error): void {
    fastify.log.debug({ err: error }, 'websocket error');
    // ws already started a close with the right code (e.g. 1009) for protocol errors; finish the rest.
    if (this.readyState === WebSocket.OPEN) this.terminate();
  }

  async function guardUpgrade(request: FastifyRequest, reply: FastifyReply) {
    if (connections.draining) {
      return reply.code(503).header('retry-after', '1').send(errorBody('SERVICE_UNAVAILABLE', 'node is draining; connect to another node'));
    }
    if (!isOriginAllowed(request.headers.origin, allowedOrigins)) {
      return reply.code(403).send(errorBody('FORBIDDEN', 'origin not allowed'));
    }
  }

  fastify.get(PUSH_PATH, { websocket: true, onRequest: guardUpgrade }, (socket, request) => {
    const protocolToken = protocolTokenOf(request.headers['sec-websocket-protocol']);
    releaseUpgradeRequest(socket, request, onSocketError);
    connections.accept(socket, { protocolToken });
  });
}
