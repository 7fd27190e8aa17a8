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

describe('saleStateAt, a lottery sale', () => {
  const lottery = { startsAtMs: 1000, endsAtMs: 2000, remainingStock: 5, prequeueOpensAtMs: 500 };
  it.each([
    [499, 'UPCOMING'],
    [500, 'PREQUEUE'],
    [999, 'PREQUEUE'],
    [1000, 'ACTIVE'],
  ])('at %p is %p', (now, state) => {
    expect(saleStateAt(lottery, now)).toBe(state);
  });
});
