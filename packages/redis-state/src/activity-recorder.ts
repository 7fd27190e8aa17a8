import type { ActivityCounts } from './activity';

export interface ActivityRecorder {
  /** Count `n` of `field` for the sale, in the current second. */
  count(saleId: string, field: string, n?: number): void;
  /** Write what was counted so far (also done every `intervalMs`). */
  flush(): Promise<void>;
  /** Stop the timer and write what is left. */
  stop(): Promise<void>;
}

/**
 * Counts per sale and per second in memory and adds them to Redis every `intervalMs`: a few
 * commands a second per sale whatever the traffic, off the purchase's path. A failed write is
 * reported and dropped (these are statistics; the tickets' truth is elsewhere).
 */
export function createActivityRecorder(options: {
  record: (saleId: string, second: number, counts: ActivityCounts) => Promise<void>;
  intervalMs?: number;
  clock?: () => number;
  onError?: (error: unknown) => void;
}): ActivityRecorder {
  const clock = options.clock ?? Date.now;
  // `<saleId> <second>` -> counts
  let pending = new Map<string, ActivityCounts>();

  async function flush(): Promise<void> {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    await Promise.all(
      [...batch].map(async ([bucket, counts]) => {
        const [saleId, second] = bucket.split(' ');
        await options.record(saleId!, Number(second), counts).catch((error: unknown) => options.onError?.(error));
      }),
    );
  }

  const timer = setInterval(() => void flush(), options.intervalMs ?? 1_000);
  timer.unref();

  return {
    count(saleId, field, n = 1) {
      const bucket = `${saleId} ${Math.floor(clock() / 1000)}`;
      let counts = pending.get(bucket);
      if (!counts) pending.set(bucket, (counts = {}));
      counts[field] = (counts[field] ?? 0) + n;
    },
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
