import { startPortServer } from './owned-port-server';
import type { OwnedServer } from './owned-server';

/** A plain `nats-server -p N` of our own (core NATS: the apps use no JetStream). */
export function startOwnedNats(options: { dir: string; port?: number }): Promise<OwnedServer> {
  return startPortServer({
    kind: 'nats',
    ...options,
    command: process.env.NATS_SERVER_BIN ?? 'nats-server',
    args: (port) => ['-a', '127.0.0.1', '-p', String(port)],
    address: (port) => `nats://127.0.0.1:${port}`,
    stopSignal: 'SIGTERM',
  });
}
