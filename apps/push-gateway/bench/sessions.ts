import { pushProtocols } from '@seckill/contracts';
import WebSocket from 'ws';

/** Spread client sockets over several loopback source addresses so ephemeral ports never run short. */
const SOURCE_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
const CONNECT_CONCURRENCY = 200;

export type SessionTarget = { kind: 'push'; url: string; tokenFor: (userId: string) => string } | { kind: 'bare'; port: number };

export function openSocket(target: SessionTarget, userId: string, index: number): WebSocket {
  const options = { localAddress: SOURCE_ADDRESSES[index % SOURCE_ADDRESSES.length], perMessageDeflate: false };
  return target.kind === 'push'
    ? new WebSocket(target.url, pushProtocols(target.tokenFor(userId)), options)
    : new WebSocket(`ws://127.0.0.1:${target.port}/?user=${userId}`, options);
}

/**
 * Open one session per user, a bounded number at a time. A push session counts
 * once `ready` arrived (authenticated and subscribed), a bare one once open.
 */
export async function openSessions(target: SessionTarget, userIds: readonly string[], onMessage?: (data: WebSocket.RawData) => void): Promise<WebSocket[]> {
  const sockets: WebSocket[] = new Array(userIds.length);
  let next = 0;
  async function worker() {
    while (next < userIds.length) {
      const i = next++;
      const socket = openSocket(target, userIds[i]!, i);
      sockets[i] = socket;
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.once('close', (code) => reject(new Error(`session ${userIds[i]} closed with ${code} while opening`)));
        if (target.kind === 'push') socket.once('message', () => resolve());
        else socket.once('open', () => resolve());
      });
      if (onMessage) socket.on('message', onMessage);
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, userIds.length) }, worker));
  return sockets;
}

export async function closeAll(sockets: readonly WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.close();
        }),
    ),
  );
}
