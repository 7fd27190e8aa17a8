import { randomBytes } from 'node:crypto';
import { createUserTokenSigner } from '@seckill/platform';
import { assignBehaviours, seededRandom } from '../crowd';
import type { CrowdShard, ShopperSpec } from '../crowd-shard';
import { startShard } from '../shard-handle';
import { onEveryShard, sum, type RunContext } from './context';

/** The crowd, split over shards (a process may hold at most 20k open files here). */
export interface Crowd {
  shards: CrowdShard[];
  specs: ShopperSpec[][];
  sessions: number;
  localAddresses: Array<string | undefined>;
  connectionsPerShard: number;
}

/**
 * One signed JWT per shopper, behaviours from the seed, shards started; all of it needs only
 * the apps' addresses, so it runs while the apps start.
 */
export async function prepareShoppers(
  run: RunContext,
  urls: { gatewayUrls: string[]; pushUrls: string[] },
  authSecret: string,
  shards: CrowdShard[],
): Promise<Crowd> {
  const { options, runId } = run;
  const sign = createUserTokenSigner(authSecret, { expiresInMs: 4 * 3_600_000 });
  const forge = createUserTokenSigner(`not-the-secret-${randomBytes(24).toString('hex')}`);
  const signExpired = createUserTokenSigner(authSecret, { expiresInMs: 1 });
  const behaviours = assignBehaviours(options.users, options.shares, seededRandom(options.seed));
  const shardCount = Math.max(1, options.shards);
  const specs: ShopperSpec[][] = Array.from({ length: shardCount }, () => []);
  let sessions = 0;
  let badTokens = 0;
  let malformed = 0;
  for (let i = 0; i < options.users; i++) {
    const behaviour = behaviours[i]!;
    const userId = `lt-${runId}-${i}`;
    const variant = badTokens % 3;
    if (behaviour.badToken) badTokens++;
    // Alternately a broken JSON body (400) and a sale that does not exist (404).
    const malformedKind = malformed % 2 === 0 ? 'malformed' : 'unknown-sale';
    if (behaviour.malformed) malformed++;
    specs[i % shardCount]!.push({
      userId,
      token: sign(userId),
      gatewayUrl: urls.gatewayUrls[i % urls.gatewayUrls.length]!,
      behaviour,
      firstNode: sessions,
      ...(behaviour.malformed ? { malformed: malformedKind } : {}),
      ...(behaviour.badToken ? { badToken: variant === 0 ? forge(userId) : variant === 1 ? signExpired(userId) : 'not-a-jwt' } : {}),
    });
    sessions += behaviour.secondTab ? 2 : 1;
  }
  const localAddresses =
    options.localAddresses > 1 ? Array.from({ length: options.localAddresses }, (_, i) => `127.0.0.${i + 1}`) : [undefined];
  const connectionsPerShard = Math.max(1, Math.ceil(options.connections / shardCount));
  for (let shard = 0; shard < shardCount; shard++) {
    // Pushed as each starts, so the run closes the ones started even if a later one fails.
    shards.push(
      await startShard(
        {
          shard,
          shoppers: specs[shard]!,
          pushUrls: urls.pushUrls,
          gatewayUrls: urls.gatewayUrls,
          pressAgain: options.pressAgain,
          // Each shard starts on another address so the addresses fill evenly.
          localAddresses: localAddresses.map((_, i) => localAddresses[(i + shard) % localAddresses.length]),
          connections: connectionsPerShard,
          timeoutMs: options.timeoutMs,
        },
        options.shards === 0,
      ),
    );
  }
  return { shards, specs, sessions, localAddresses, connectionsPerShard };
}

/** Connect every session, spread over the push nodes. */
export async function connectShoppers(run: RunContext, crowd: Crowd): Promise<{ ms: number; sessionsPerNode: Record<string, number> }> {
  const started = Date.now();
  const connected = await onEveryShard(
    run,
    crowd.shards,
    { title: 'connecting shoppers', total: crowd.sessions, count: (p) => p.ready },
    (shard) => shard.connect(),
  );
  const ms = Date.now() - started;
  const sessionsPerNode: Record<string, number> = {};
  for (const part of connected)
    for (const [node, n] of Object.entries(part.sessionsPerNode)) sessionsPerNode[node] = (sessionsPerNode[node] ?? 0) + n;
  run.log(
    `${crowd.sessions} sessions ready in ${ms} ms over ${crowd.shards.length} shard(s): ${Object.entries(sessionsPerNode)
      .map(([url, n]) => `${url} ${n}`)
      .join(', ')}`,
  );
  return { ms, sessionsPerNode };
}

/** Requests each shard fires in the herd: every click, malformed request and bad token. */
export function herdSizes(crowd: Crowd): number[] {
  return crowd.specs.map((part) =>
    sum(part, (s) => s.behaviour.clicks + (s.behaviour.malformed ? 1 : 0) + (s.badToken !== undefined ? 1 : 0)),
  );
}
