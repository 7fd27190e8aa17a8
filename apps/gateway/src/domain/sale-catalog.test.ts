import { saleStateAt } from './sale-catalog';

describe('saleStateAt', () => {
  const sale = { startsAtMs: 1000, endsAtMs: 2000, remainingStock: 5 };
  it.each([
    [999, 5, 'UPCOMING'],
    [1000, 5, 'ACTIVE'],
    [1500, 0, 'SOLD_OUT'],
    [2000, 5, 'ENDED'],
  ])('at %p with %p left is %p', (now, remainingStock, state) => {
    expect(saleStateAt({ ...sale, remainingStock }, now)).toBe(state);
  });
});
