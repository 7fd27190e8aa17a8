import type { Cluster } from 'ioredis';

/** How long a write waits for its replica (WAIT's timeout). */
const REPLICA_ACK_TIMEOUT_MS = 100;
/** A shard whose replica did not answer in time is not waited on for this long (it died, or failed over). */
const NO_REPLICA_BACKOFF_MS = 2_000;

interface Shard {
  degradedUntil: number;
  /** The WAIT on the wire, and the one queued behind it for the writes that came meanwhile. */
  running: Promise<void> | undefined;
  queued: Promise<void> | undefined;
}

/**
 * A Redis Cluster primary acknowledges a write before its replica has it: were it to die in that
 * instant, the replica taking over would not know the write (a ticket number handed out twice, a
 * result recorded and gone). `replicated(key)` holds the caller until one replica of the shard
 * serving `key` has everything written on this connection (WAIT 1), at most 100 ms.
 *
 * WAIT blocks the connection it is sent on, so the waits of one shard are grouped: one on the
 * wire, one queued behind it for every write that came meanwhile (it covers them all). A shard
 * without a replica in sync is not waited on for 2 s at a time: a failover costs a timeout or
 * two, not one per write. This narrows the window; Redis replication stays asynchronous.
 */
export function createReplicaAck(cluster: Cluster) {
  const shards = new Map<string, Shard>();

  async function waitOnce(key: string, shard: Shard): Promise<void> {
    // A pipeline goes to the node serving its keys, on the connection the writes went on; WAIT counts that connection's writes.
    const replies = await cluster.pipeline().exists(key).call('WAIT', 1, REPLICA_ACK_TIMEOUT_MS).exec();
    if (Number(replies?.[1]?.[1] ?? 0) < 1) shard.degradedUntil = Date.now() + NO_REPLICA_BACKOFF_MS;
  }

  return function replicated(key: string): Promise<void> {
    const tag = /\{[^}]*\}/.exec(key)?.[0] ?? key;
    let shard = shards.get(tag);
    if (!shard) shards.set(tag, (shard = { degradedUntil: 0, running: undefined, queued: undefined }));
    const current = shard;
    if (current.degradedUntil > Date.now()) return Promise.resolve();
    if (!current.running) {
      current.running = waitOnce(key, current).finally(() => (current.running = undefined));
      return current.running;
    }
    // The WAIT on the wire may have left before this write: one more after it, shared.
    current.queued ??= current.running
      .catch(() => undefined)
      .then(() => {
        current.queued = undefined;
        return replicated(key);
      });
    return current.queued;
  };
}
