import type { SaleStats } from '@seckill/contracts';
import { createStatsHistory, formatFigure } from './stats-history';

const look = (at: string, redis: number, lag: number | null): SaleStats =>
  ({ at, stock: { initial: 10, redis, postgres: 10 }, workers: { count: 1, ordersPerSecond: 0, lag } }) as unknown as SaleStats;

describe('stats history', () => {
  it('keeps the last looks as chart columns: times in seconds, then each figure', () => {
    const history = createStatsHistory(2);
    history.push(look('2026-01-01T00:00:01.000Z', 9, 3));
    history.push(look('2026-01-01T00:00:02.000Z', 8, null));
    history.push(look('2026-01-01T00:00:03.500Z', 7, 1));
    const t0 = Date.parse('2026-01-01T00:00:00.000Z') / 1000;
    expect(history.columns([(s) => s.stock.redis, (s) => s.workers.lag])).toEqual([
      [t0 + 2, t0 + 3.5],
      [8, 7],
      [null, 1],
    ]);
    expect(history.latest()?.stock.redis).toBe(7);
  });

  it('ignores a repeat of the same moment', () => {
    const history = createStatsHistory(5);
    history.push(look('2026-01-01T00:00:01.000Z', 9, 0));
    history.push(look('2026-01-01T00:00:01.000Z', 9, 0));
    expect(history.size).toBe(1);
  });

  it('formats figures for the tiles', () => {
    expect([formatFigure(1234), formatFigure(12.34, '/s'), formatFigure(null), formatFigure(7, ' ms')]).toEqual([
      '1,234',
      '12.3/s',
      '–',
      '7 ms',
    ]);
  });
});
