import type { FaultSpan, TimelinePoint } from './chart';
import { bucketWidthFor, summarize } from './stats';

/**
 * Bucket what happened after the herd was fired: answers by kind, results by
 * final status, and the click → push latency (p50, p99) of the results in each bucket;
 * the faults pass through, spanning start to heal. Times are ms since the herd was fired.
 */
export function buildTimeline(input: {
  answers: Array<{ t: number; label: string }>;
  results: Array<{ t: number; status: string; latencyMs: number }>;
  faults?: FaultSpan[];
}): { bucketMs: number; points: TimelinePoint[]; faults: FaultSpan[] } {
  const faults = input.faults ?? [];
  const span = Math.max(1, ...input.answers.map((a) => a.t), ...input.results.map((r) => r.t), ...faults.map((f) => f.to ?? f.from));
  const bucketMs = bucketWidthFor(span);
  const bucket = (t: number) => Math.max(0, Math.floor(t / bucketMs) * bucketMs);
  const counts = new Map<string, TimelinePoint>();
  const add = (chart: TimelinePoint['chart'], series: string, t: number) => {
    const key = `${chart}|${series}|${bucket(t)}`;
    const point = counts.get(key);
    if (point) point.value++;
    else counts.set(key, { chart, series, t: bucket(t), value: 1 });
  };
  for (const answer of input.answers) add('admissions', answer.label, answer.t);
  for (const result of input.results) add('results', result.status, result.t);

  const latencyByBucket = new Map<number, number[]>();
  for (const result of input.results) {
    const samples = latencyByBucket.get(bucket(result.t)) ?? [];
    samples.push(result.latencyMs);
    latencyByBucket.set(bucket(result.t), samples);
  }
  const latency: TimelinePoint[] = [];
  for (const [t, samples] of [...latencyByBucket].sort((a, b) => a[0] - b[0])) {
    const summary = summarize(samples)!;
    latency.push({ chart: 'latency', series: 'p50', t, value: summary.p50 }, { chart: 'latency', series: 'p99', t, value: summary.p99 });
  }
  return { bucketMs, points: [...[...counts.values()].sort((a, b) => a.t - b.t), ...latency], faults };
}
