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
  return relaunchable({
    kind: options.kind,
    address: options.address(port),
    port,
    dir: options.dir,
    launch,
    stopToRestart: stop,
    stopForGood: stop,
  });
}

/**
 * An owned server that is one process of ours: a restart stops it (`stopToRestart`), waits,
 * and `launch`es it again; `stop` ends it for good (`stopForGood`) and deletes `dir`.
 */
export async function relaunchable(options: {
  kind: OwnedServer['kind'];
  address: string;
  port: number;
  dir: string;
  launch: () => Promise<OwnedChild>;
  stopToRestart: (server: OwnedChild) => Promise<void>;
  stopForGood: (server: OwnedChild) => Promise<void>;
}): Promise<OwnedServer> {
  let server = await options.launch();
  return {
    kind: options.kind,
    address: options.address,
    port: options.port,
    pid: () => server.pid,
    freeze: () => freezeProcess(server.pid),
    thaw: () => thawProcess(server.pid),
    async restart({ downMs = 0 } = {}) {
      const stoppedAt = Date.now();
      await options.stopToRestart(server);
      await sleep(downMs);
      server = await options.launch();
      return { stoppedAt, readyAt: Date.now() };
    },
    async stop() {
      await options.stopForGood(server);
      await rm(options.dir, { recursive: true, force: true });
    },
  };
}
