import type { Cluster } from 'ioredis';

/** How long a write waits for its replica (WAIT's timeout). */
const REPLICA_ACK_TIMEOUT_MS = 100;
/** A shard whose replica did not answer in time is not waited on for this long (it died, or failed over). */
const NO_REPLICA_BACKOFF_MS = 2_000;

/**
 * A Redis Cluster primary acknowledges a write before its replica has it: were it to die in that
 * instant, the replica taking over would not know the write (a ticket number handed out twice, a
 * result recorded and gone). `replicated(key)` holds the caller until one replica of the shard
 * serving `key` has everything written on this connection (WAIT 1), at most 100 ms; a shard
 * without a replica in sync is not waited on for 2 s at a time, so a failover costs one timeout,
 * not one per write. This narrows the window; Redis replication stays asynchronous.
 */
export function createReplicaAck(cluster: Cluster) {
  const degradedUntil = new Map<string, number>();
  return async function replicated(key: string): Promise<void> {
    const tag = /\{[^}]*\}/.exec(key)?.[0] ?? key;
    if ((degradedUntil.get(tag) ?? 0) > Date.now()) return;
    // A pipeline goes to the node serving its keys, on the connection the write went on; WAIT counts that connection's writes.
    const replies = await cluster.pipeline().exists(key).call('WAIT', 1, REPLICA_ACK_TIMEOUT_MS).exec();
    const acked = Number(replies?.[1]?.[1] ?? 0);
    if (acked >= 1) degradedUntil.delete(tag);
    else degradedUntil.set(tag, Date.now() + NO_REPLICA_BACKOFF_MS);
  };
}
