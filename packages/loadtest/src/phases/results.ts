import type { Answer, CrowdShard } from '../crowd-shard';
import { sleep } from '../wait';
import type { Target } from '../target';
import { SYNC_MARGIN_MS } from './baseline';
import { onEveryShard, sum, type RunContext } from './context';
import type { Crowd } from './shoppers';
import type { Herd, Sale } from './herd';

/** After a sell-out each gateway answers 410 from memory for a moment (SOLD_OUT_MEMORY_MS, 1 s by default). */
const RESALE_DELAY_MS = 1_500;
/** While no stock is back, shoppers look at the sale page this often. */
const STOCK_LOOK_MS = 1_000;

export interface Resale {
  answers: Answer[];
  waves: number;
}

/**
 * Wait for every ticket's final state; then, while demand is left and stock is back (cancels,
 * tickets failed or reaped after a fault), resale waves let refused shoppers try again, until
 * sold out or the deadline: with faults, the settle bound after the last heal.
 */
export async function settleAndResell(run: RunContext, target: Target, crowd: Crowd, sale: Sale, herd: Herd): Promise<Resale> {
  const { options } = run;
  const deadline = () => {
    const hard = herd.herdAt + options.timeoutMs;
    const healedAt = herd.chaos.healedAt();
    return healedAt === undefined ? hard : Math.min(hard, healedAt + options.bounds.settleBoundMs);
  };
  const answers: Answer[] = [];
  let waves = 0;
  await waitForResults(run, crowd.shards, deadline);
  while (waves < options.retryWaves && Date.now() < deadline()) {
    const counts = await Promise.all(crowd.shards.map((shard) => shard.counts()));
    const succeeded = sum(counts, (c) => c.succeeded);
    const candidates = sum(counts, (c) => c.candidates);
    if (succeeded >= options.stock || candidates === 0) break;
    const remaining = await remainingStock(target.gatewayUrls, sale.saleId);
    if (!remaining) {
      // Nothing to buy now; stock may still come back (a ticket failed or reaped late).
      await sleep(STOCK_LOOK_MS);
      continue;
    }
    await sleep(RESALE_DELAY_MS);
    const wave = ++waves;
    const wanted = Math.min(candidates, Math.max(20, 3 * remaining));
    const before = sum(counts, (c) => c.accepted);
    const at = Date.now() + SYNC_MARGIN_MS;
    const parts = await Promise.all(
      crowd.shards.map((shard, i) =>
        shard.resaleWave({ saleId: sale.saleId, wave, at, count: Math.ceil((wanted * (counts[i]!.candidates || 0)) / candidates) }),
      ),
    );
    answers.push(...parts.flatMap((part) => part.answers));
    const accepted = sum(await Promise.all(crowd.shards.map((shard) => shard.counts())), (c) => c.accepted) - before;
    run.log(`resale wave ${wave}: ${sum(parts, (p) => p.answers.length)} presses for ${remaining} returned item(s), ${accepted} ticket(s)`);
    await waitForResults(run, crowd.shards, deadline);
  }
  return { answers, waves };
}

/** Wait until every accepted ticket's result settled, or the deadline (which may move); a timeout is noted, the checks still run. */
async function waitForResults(run: RunContext, shards: CrowdShard[], deadline: () => number): Promise<void> {
  const total = sum(await Promise.all(shards.map((shard) => shard.progress())), (p) => p.holders);
  let pending = 0;
  await onEveryShard(run, shards, { title: 'waiting for results', total, count: (p) => p.resolved }, async (shard) => {
    for (;;) {
      // In slices, so a deadline moved by a fault's heal is seen.
      const slice = await shard.waitForResults({ deadline: Math.min(deadline(), Date.now() + 1_000) });
      if (slice.pending === 0 || Date.now() >= deadline()) return slice;
    }
  }).then((parts) => (pending = sum(parts, (p) => p.pending)));
  if (pending) run.notes.push(`timed out: ${pending} of ${total} accepted tickets had no final state for the SDK`);
}

/** Remaining stock as the sale page shows it, from the first gateway that answers; 0 when none does. */
async function remainingStock(gatewayUrls: readonly string[], saleId: string): Promise<number> {
  for (const url of gatewayUrls) {
    try {
      const response = await fetch(`${url}/api/sales/${saleId}`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return ((await response.json()) as { remainingStock?: number }).remainingStock ?? 0;
    } catch {
      // that gateway is down or slow: ask the next one
    }
  }
  return 0;
}
