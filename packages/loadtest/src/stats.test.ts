import { bucketWidthFor, ratePerSecond, summarize } from './stats';

describe('summarize', () => {
  it('gives nearest-rank percentiles of the samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(summarize(samples)).toMatchObject({ count: 100, min: 1, p50: 50, p95: 95, p99: 99, max: 100, mean: 50.5 });
  });

  it('has nothing to say about no samples', () => {
    expect(summarize([])).toBeUndefined();
  });
});

describe('ratePerSecond and bucketWidthFor', () => {
  it('turn counts and spans into readable figures', () => {
    expect(ratePerSecond(5000, 250)).toBe(20_000);
    expect(ratePerSecond(10, 0)).toBe(0);
    expect(bucketWidthFor(8_000)).toBe(100);
    expect(bucketWidthFor(100)).toBe(10);
  });
});
