import { createCrowdShard, type CrowdShard, type ShardInit } from './crowd-shard';

/** A call from the coordinator: `init` once, then any method of the shard. */
export type ShardRequest = { id: number; method: 'init'; args: ShardInit } | { id: number; method: keyof CrowdShard; args: unknown };
export type ShardReply = { id: number; result?: unknown; error?: string };

/**
 * Child process holding one shard of the crowd. `init` answers with the names of the shard's
 * methods, so the coordinator's proxy is built from the shard itself rather than from a second list.
 */
let shard: CrowdShard | undefined;

process.on('message', (message: ShardRequest) => {
  void (async () => {
    try {
      let result: unknown;
      if (message.method === 'init') {
        shard = createCrowdShard(message.args);
        result = Object.keys(shard);
      } else {
        if (!shard) throw new Error('shard not initialised');
        const method = shard[message.method] as (args: unknown) => Promise<unknown>;
        result = await method(message.args);
      }
      process.send?.({ id: message.id, result } satisfies ShardReply);
    } catch (error) {
      process.send?.({
        id: message.id,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      } satisfies ShardReply);
    }
  })();
});

process.on('disconnect', () => process.exit(0));
