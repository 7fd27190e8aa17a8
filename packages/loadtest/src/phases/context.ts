import type { CrowdShard } from '../crowd-shard';
import type { LoadtestOptions } from '../options';
import type { createProgress, PhaseBar } from '../progress';

/** What every phase of a run shares. */
export interface RunContext {
  options: LoadtestOptions;
  runId: string;
  log(line: string): void;
  progress: ReturnType<typeof createProgress>;
  /** Lines for the report's notes. */
  notes: string[];
}

export function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}

/** Run `task`, refreshing a progress bar every 250 ms meanwhile. */
export async function withProgress<T>(task: () => Promise<T>, refresh: () => Promise<void>, bar: PhaseBar): Promise<T> {
  const timer = setInterval(() => void refresh().catch(() => undefined), 250);
  try {
    const result = await task();
    await refresh().catch(() => undefined);
    return result;
  } finally {
    clearInterval(timer);
    bar.stop();
  }
}

/** Run `phase` on every shard at once and show `count` of their progress on a bar titled `title`. */
export function onEveryShard<T>(
  run: RunContext,
  shards: readonly CrowdShard[],
  bar: { title: string; total: number; count: (progress: Awaited<ReturnType<CrowdShard['progress']>>) => number },
  phase: (shard: CrowdShard, index: number) => Promise<T>,
): Promise<T[]> {
  const phaseBar = run.progress(bar.title, bar.total);
  return withProgress(
    () => Promise.all(shards.map(phase)),
    async () => phaseBar.update(sum(await Promise.all(shards.map((shard) => shard.progress())), bar.count)),
    phaseBar,
  );
}
