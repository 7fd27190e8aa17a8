import { buildTimeline } from './timeline';

describe('buildTimeline', () => {
  it('counts answers and results per bucket and gives the latency percentiles of each bucket', () => {
    const { bucketMs, points } = buildTimeline({
      answers: [
        { t: 1, label: '202' },
        { t: 3, label: '202' },
        { t: 15, label: '410 SOLD_OUT' },
      ],
      results: [
        { t: 400, status: 'SUCCEEDED', latencyMs: 390 },
        { t: 405, status: 'SUCCEEDED', latencyMs: 10 },
      ],
    });
    expect(bucketMs).toBe(10);
    expect(buildTimeline({ answers: [], results: [], faults: [{ name: 'gateway-kill', from: 20, to: 8_000 }] })).toMatchObject({
      bucketMs: 100,
      faults: [{ name: 'gateway-kill', from: 20, to: 8_000 }],
    });
    expect(points).toEqual(
      expect.arrayContaining([
        { chart: 'admissions', series: '202', t: 0, value: 2 },
        { chart: 'admissions', series: '410 SOLD_OUT', t: 10, value: 1 },
        { chart: 'results', series: 'SUCCEEDED', t: 400, value: 2 },
        { chart: 'latency', series: 'p50', t: 400, value: 10 },
        { chart: 'latency', series: 'p99', t: 400, value: 390 },
      ]),
    );
  });
});
