import type { RedisClient } from '@seckill/platform';
import { createWaitEstimator, throughputFromReports } from './wait-estimator';

describe('throughputFromReports', () => {
  it('adds up the rates of the workers that reported recently', () => {
    const reports = { w1: '200:9000', w2: '300:9500', stale: '1000:1000', garbage: 'fast' };
    expect(throughputFromReports(reports, { now: 10_000, staleAfterMs: 5000 })).toBe(500);
  });

  it('is undefined when no fresh report is left', () => {
    expect(throughputFromReports({ w1: '200:1000' }, { now: 100_000, staleAfterMs: 5000 })).toBeUndefined();
    expect(throughputFromReports({}, { now: 0, staleAfterMs: 5000 })).toBeUndefined();
  });
});

describe('wait estimator', () => {
  const redisWith = (reports: Record<string, string>) => ({ hgetall: async () => reports }) as unknown as RedisClient;

  it('falls back to the default rate before any report', () => {
    const estimator = createWaitEstimator({ redis: redisWith({}), clock: () => 0, defaultOrdersPerSecond: 100, staleAfterMs: 5000 });
    expect(estimator.estimateWaitMs(0)).toBe(10);
    expect(estimator.estimateWaitMs(99)).toBe(1000);
  });

  it('uses the measured throughput once read', async () => {
    const estimator = createWaitEstimator({
      redis: redisWith({ w1: '1000:0' }),
      clock: () => 0,
      defaultOrdersPerSecond: 100,
      staleAfterMs: 5000,
    });
    await estimator.refresh();
    expect(estimator.ordersPerSecond()).toBe(1000);
    expect(estimator.estimateWaitMs(1999)).toBe(2000);
  });
});
