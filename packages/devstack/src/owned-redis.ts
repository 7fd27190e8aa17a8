import { startPortServer } from './owned-port-server';
import type { OwnedServer } from './owned-server';

/**
 * `redis-server --port N --save "" --appendonly no` of our own: nothing on disk, so a restart
 * (SIGKILL, then the same command on the same port) is a total loss, as for the machine's Redis.
 */
export function startOwnedRedis(options: { dir: string; port?: number }): Promise<OwnedServer> {
  return startPortServer({
    kind: 'redis',
    ...options,
    command: 'redis-server',
    args: (port) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', options.dir],
    address: (port) => `redis://127.0.0.1:${port}`,
    stopSignal: 'SIGKILL',
  });
}
