/** Phase 1 of bench/push.ts for one side: settled RSS of each node before and after its share of N idle sessions. */
import type { NodeProcess } from '@seckill/devstack';
import { performance } from 'node:perf_hooks';
import { settledRssKib } from './proc-stats';
import { spawnTs, stopProcesses, waitForOutput } from './processes';
import type { SideUnderTest } from './servers';
import { closeAll, openSessions, type OnTicket, type SessionTarget } from './sessions';

const SESSIONS_PER_SHARD = 5_000;
const WARM_SESSIONS_PER_NODE = 500;

interface IdleOptions {
  /** N: the side's sessions in all, receivers included. */
  sessions: number;
  /** Held here, spread over the nodes like the rest; their tickets go to `onTicket`. */
  receivers: readonly string[];
  onTicket: OnTicket;
  authSecret: string;
  /** Users are `<prefix>-<n>`. */
  userPrefix: string;
}

/** Idle sessions for users [from, to), in shard processes (bench/idle-clients.ts); resolves once all are open. */
async function openIdleShards(target: SessionTarget, from: number, to: number, options: IdleOptions): Promise<NodeProcess[]> {
  const shards: NodeProcess[] = [];
  for (let start = from; start < to; start += SESSIONS_PER_SHARD) {
    shards.push(
      spawnTs('bench/idle-clients.ts', {
        TARGET: target.kind,
        TARGET_URLS: target.urls.join(','),
        AUTH_SECRET: options.authSecret,
        USER_PREFIX: options.userPrefix,
        FROM: String(start),
        TO: String(Math.min(to, start + SESSIONS_PER_SHARD)),
      }),
    );
  }
  await Promise.all(shards.map((shard) => waitForOutput(shard, /ready \d+/, 600_000)));
  return shards;
}

export async function holdIdleSessions(side: SideUnderTest, options: IdleOptions) {
  const { target } = side;
  const { sessions, receivers } = options;
  // Warm each node (JIT, pools) with sessions that come and go before the baseline.
  const warmUsers = Array.from(
    { length: Math.min(WARM_SESSIONS_PER_NODE, sessions) * target.urls.length },
    (_, i) => `${options.userPrefix}-warm-${i}`,
  );
  await closeAll(await openSessions(target, warmUsers));
  const rssBefore = await Promise.all(side.nodes.map((node) => settledRssKib(node.pid!)));
  const started = performance.now();
  const receiverSessions = await openSessions(target, receivers, { onTicket: options.onTicket });
  const shards = await openIdleShards(target, receivers.length, sessions, options);
  const connectSeconds = (performance.now() - started) / 1000;
  const rssAfter = await Promise.all(side.nodes.map((node) => settledRssKib(node.pid!)));
  const perSessionKib = rssAfter.reduce((sum, after, i) => sum + after - rssBefore[i]!, 0) / sessions;
  return {
    rssBefore,
    rssAfter,
    perSessionKib,
    connectSeconds,
    async close(): Promise<void> {
      await Promise.all([stopProcesses(shards), closeAll(receiverSessions)]);
    },
  };
}
export type IdleSide = Awaited<ReturnType<typeof holdIdleSessions>>;
