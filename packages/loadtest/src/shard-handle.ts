import path from 'node:path';
import { startNodeProcess } from '@seckill/devstack';
import { createCrowdShard, type CrowdShard, type ShardInit } from './crowd-shard';
import type { ShardReply, ShardRequest } from './shard-process';

/** A shard in this process (small runs) or in a child process of its own (one per ~8k sockets). */
export async function startShard(init: ShardInit, inProcess: boolean): Promise<CrowdShard> {
  if (inProcess) return createCrowdShard(init);
  // Sources run through tsx, the built package on plain node: the shard script of the same kind as this file.
  const { child } = startNodeProcess({
    name: `shard ${init.shard}`,
    script: path.join(__dirname, `shard-process${path.extname(__filename)}`),
    output: 'inherit',
    ipc: true,
    serialization: 'advanced',
  });
  let nextId = 0;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  child.on('message', (message: ShardReply) => {
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    if (message.error !== undefined) call.reject(new Error(`shard ${init.shard}: ${message.error}`));
    else call.resolve(message.result);
  });
  child.once('exit', (code) => {
    for (const call of pending.values()) call.reject(new Error(`shard ${init.shard} exited with code ${code}`));
    pending.clear();
  });
  const call = (method: ShardRequest['method'], args?: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, method, args } as ShardRequest, (error) => {
        if (error) {
          pending.delete(id);
          reject(error);
        }
      });
    });
  // The child answers `init` with its shard's method names: each becomes a call over IPC.
  const methods = (await call('init', init)) as Array<keyof CrowdShard>;
  const remote = Object.fromEntries(methods.map((method) => [method, (args?: unknown) => call(method, args)])) as unknown as CrowdShard;
  remote.close = async () => {
    if (child.exitCode !== null) return;
    await call('close').catch(() => undefined);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.disconnect();
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  return remote;
}
