/** Latency summary by nearest rank on a sorted copy (tens of thousands of samples sort in milliseconds). */
export interface LatencySummary {
  count: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): LatencySummary | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    min: round(sorted[0]!),
    p50: round(rank(50)),
    p95: round(rank(95)),
    p99: round(rank(99)),
    max: round(sorted[sorted.length - 1]!),
    mean: round(total / sorted.length),
  };
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Requests per second over the span from the first send to the last answer. */
export function ratePerSecond(count: number, spanMs: number): number {
  return spanMs > 0 ? round((count * 1000) / spanMs, 0) : 0;
}

/** A bucket width giving about `buckets` points over `spanMs`, at least 10 ms, rounded to a readable step. */
export function bucketWidthFor(spanMs: number, buckets = 80): number {
  const raw = Math.max(10, spanMs / buckets);
  const steps = [10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000];
  return steps.find((step) => step >= raw) ?? 60_000;
}
