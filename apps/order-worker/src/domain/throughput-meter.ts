/**
 * Orders per second as an exponentially weighted moving average (time constant `tauMs`).
 * Only seconds with work move the average: an idle worker keeps reporting the rate it
 * last sustained, which is what the gateway's wait estimate needs (its capacity), not 0.
 */
export function createThroughputMeter(options: { tauMs?: number; clock?: () => number } = {}) {
  const tauMs = options.tauMs ?? 5_000;
  const clock = options.clock ?? Date.now;
  let pending = 0;
  let lastTick = clock();
  let rate = 0;
  let primed = false;

  return {
    record(orders: number): void {
      pending += orders;
    },
    /** Fold what was recorded since the last tick into the average; returns the average. */
    tick(): number {
      const now = clock();
      const elapsedMs = now - lastTick;
      if (elapsedMs <= 0) return rate;
      lastTick = now;
      if (pending === 0) return rate;
      const instant = (pending * 1000) / elapsedMs;
      pending = 0;
      const alpha = primed ? 1 - Math.exp(-elapsedMs / tauMs) : 1;
      rate = rate + alpha * (instant - rate);
      primed = true;
      return rate;
    },
    get ordersPerSecond(): number {
      return rate;
    },
  };
}
export type ThroughputMeter = ReturnType<typeof createThroughputMeter>;
