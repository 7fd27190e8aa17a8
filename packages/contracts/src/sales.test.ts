import { createSaleBodySchema } from './sales';

const valid = { name: 'Phones', stock: 100, startsAt: '2026-01-01T10:00:00Z', endsAt: '2026-01-01T11:00:00Z' };

describe('createSaleBodySchema', () => {
  it('accepts a well-formed sale', () => {
    expect(createSaleBodySchema.parse(valid)).toEqual(valid);
  });

  it('rejects a sale that ends before it starts', () => {
    const result = createSaleBodySchema.safeParse({ ...valid, endsAt: '2026-01-01T09:00:00Z' });
    expect(result.success).toBe(false);
  });

  it('accepts a lottery with bot friction: the pre-queue opens before the start', () => {
    const lottery = { ...valid, prequeueOpensAt: '2026-01-01T09:30:00Z', challengeDifficulty: 16 };
    expect(createSaleBodySchema.parse(lottery)).toEqual(lottery);
    expect(createSaleBodySchema.safeParse({ ...lottery, prequeueOpensAt: valid.startsAt }).success).toBe(false);
  });

  it.each([
    { challengeDifficulty: -1 },
    { challengeDifficulty: 25 },
    { prequeueOpensAt: 'soon' },
    { stock: 0 },
    { stock: 1.5 },
    { name: '' },
    { startsAt: 'tomorrow' },
    { extra: true },
  ])('rejects %p', (patch) => {
    expect(createSaleBodySchema.safeParse({ ...valid, ...patch }).success).toBe(false);
  });
});
