import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const options = { initialMs: 100, maxMs: 1_000 };

  it('doubles the ceiling per attempt and never exceeds the maximum', () => {
    const ceilings = [0, 1, 2, 3, 4, 10].map((attempt) => backoffDelay(attempt, { ...options, random: () => 1 }));
    expect(ceilings).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('keeps at least half the step, so a retry never comes at once', () => {
    const floors = [0, 1, 2, 3, 4].map((attempt) => backoffDelay(attempt, { ...options, random: () => 0 }));
    expect(floors).toEqual([50, 100, 200, 400, 500]);
  });

  it('spreads clients that failed together over the upper half of the step', () => {
    const delays = [0, 0.25, 0.5, 0.75].map((value) => backoffDelay(2, { ...options, random: () => value }));
    expect(delays).toEqual([200, 250, 300, 350]);
    expect(new Set(Array.from({ length: 50 }, () => backoffDelay(3, options))).size).toBeGreaterThan(10);
  });

  it('honours a custom growth factor', () => {
    expect(backoffDelay(2, { initialMs: 1_000, maxMs: 60_000, factor: 1.5, random: () => 1 })).toBe(2_250);
  });
});
