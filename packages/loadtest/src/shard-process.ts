import { createCrowdShard, type CrowdShard, type ShardInit } from './crowd-shard';

/**
 * Child process holding one shard of the crowd: `init` once, then method calls
 * `{ id, method, args }` answered with `{ id, result }` or `{ id, error }` over IPC.
 */
let shard: CrowdShard | undefined;

process.on('message', (message: { id: number; method: string; args: unknown }) => {
  void (async () => {
    try {
      let result: unknown;
      if (message.method === 'init') {
        shard = createCrowdShard(message.args as ShardInit);
      } else {
        if (!shard) throw new Error('shard not initialised');
        const method = shard[message.method as keyof CrowdShard] as (args: unknown) => Promise<unknown>;
        result = await method(message.args);
      }
      process.send?.({ id: message.id, result });
    } catch (error) {
      process.send?.({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  })();
});

process.on('disconnect', () => process.exit(0));
