import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { freePort, freezeProcess, portOpen, sleep, spawnOwned, thawProcess, waitUntil, type OwnedChild } from './owned-process';
import type { OwnedServer } from './owned-server';

/**
 * A server that is one process serving one port, started with `command args(port)`, ready once
 * the port accepts connections; a restart stops it with `stopSignal` and runs the command again.
 */
export async function startPortServer(options: {
  kind: OwnedServer['kind'];
  dir: string;
  port?: number;
  command: string;
  args: (port: number) => string[];
  address: (port: number) => string;
  stopSignal: NodeJS.Signals;
}): Promise<OwnedServer> {
  await mkdir(options.dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const logFile = path.join(options.dir, `${options.kind}.log`);
  const launch = async (): Promise<OwnedChild> => {
    const server = spawnOwned(options.command, options.args(port), { logFile });
    await waitUntil(() => portOpen(port), `${options.kind} on port ${port}`, 15_000);
    return server;
  };
  const stop = (server: OwnedChild) => server.stop({ signal: options.stopSignal, graceMs: 5_000 });
  let server = await launch();
  return {
    kind: options.kind,
    address: options.address(port),
    port,
    pid: () => server.pid,
    freeze: () => freezeProcess(server.pid),
    thaw: () => thawProcess(server.pid),
    async restart({ downMs = 0 } = {}) {
      const stoppedAt = Date.now();
      await stop(server);
      await sleep(downMs);
      server = await launch();
      return { stoppedAt, readyAt: Date.now() };
    },
    async stop() {
      await stop(server);
      await rm(options.dir, { recursive: true, force: true });
    },
  };
}
