import type { Cluster } from 'ioredis';
import { createReplicaAck } from './replica-ack';

/** A cluster whose WAITs answer when the test says, with the replica count it says. */
function fakeCluster() {
  const waits: Array<(acked: number) => void> = [];
  const cluster = {
    pipeline: () => ({
      exists: () => ({
        call: () => ({
          exec: () =>
            new Promise((resolve) =>
              waits.push((acked) =>
                resolve([
                  [null, 1],
                  [null, acked],
                ]),
              ),
            ),
        }),
      }),
    }),
  } as unknown as Cluster;
  const settle = async (acked: number) => {
    const pending = waits.splice(0);
    for (const answer of pending) answer(acked);
    await new Promise((resolve) => setImmediate(resolve));
    return pending.length;
  };
  return { cluster, waits, settle };
}

describe('createReplicaAck', () => {
  it('sends one WAIT per shard at a time, and one more for every write that came while it was out', async () => {
    const { cluster, waits, settle } = fakeCluster();
    const replicated = createReplicaAck(cluster);
    const first = replicated('{sale:a}:info');
    const meanwhile = Array.from({ length: 50 }, () => replicated('{sale:a}:stock'));
    const otherShard = replicated('{sale:b}:info');
    expect(waits).toHaveLength(2); // sale a's and sale b's
    expect(await settle(1)).toBe(2);
    await first;
    await otherShard;
    expect(waits).toHaveLength(1); // the one covering the 50
    expect(await settle(1)).toBe(1);
    await Promise.all(meanwhile);
    expect(waits).toHaveLength(0);
  });

  it('does not wait on a shard whose replica did not answer, for a while', async () => {
    const { cluster, waits, settle } = fakeCluster();
    const replicated = createReplicaAck(cluster);
    const timedOut = replicated('{sale:a}:info');
    await settle(0);
    await timedOut;
    await replicated('{sale:a}:info');
    expect(waits).toHaveLength(0);
  });
});
