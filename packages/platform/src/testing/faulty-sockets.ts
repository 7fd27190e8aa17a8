import net from 'node:net';
import type { ISocketFactory } from 'kafkajs';

/**
 * A kafkajs `socketFactory` whose connections the test can freeze, as a SIGSTOPped broker
 * would look from the client: while frozen, nothing the broker sends is read; with
 * `requests: 'held'` nothing the client writes leaves either (the broker never sees it),
 * with `requests: 'delivered'` the broker gets and executes every request but its answers
 * are lost in the freeze (the ambiguous failure of a produce request).
 */
export function createFreezableSockets() {
  const sockets = new Set<FreezableSocket>();
  let frozen: 'held' | 'delivered' | undefined;

  interface FreezableSocket {
    socket: net.Socket;
    heldWrites: Array<() => void>;
  }

  const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = net.connect({ host, port }, onConnect);
    const entry: FreezableSocket = { socket, heldWrites: [] };
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    socket.write = ((...args: unknown[]) => {
      if (frozen === 'held') {
        entry.heldWrites.push(() => write(...args));
        return true;
      }
      return write(...args);
    }) as net.Socket['write'];
    if (frozen) queueMicrotask(() => socket.pause());
    socket.once('close', () => sockets.delete(entry));
    sockets.add(entry);
    return socket;
  };

  return {
    socketFactory,
    /** Stop reading every connection (and, with `held`, stop writing). */
    freeze(requests: 'held' | 'delivered' = 'held'): void {
      frozen = requests;
      for (const { socket } of sockets) socket.pause();
    },
    /** Deliver what was held, in order, and read again. */
    thaw(): void {
      frozen = undefined;
      for (const entry of sockets) {
        for (const write of entry.heldWrites.splice(0)) write();
        entry.socket.resume();
      }
    },
    get connections(): number {
      return sockets.size;
    },
  };
}
export type FreezableSockets = ReturnType<typeof createFreezableSockets>;
