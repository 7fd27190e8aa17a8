import { javaAbs, javaStringHash } from './cluster-faults';

describe('the group coordinator lookup', () => {
  it('hashes a group id as Java String.hashCode does, overflow included', () => {
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('abc')).toBe(96354);
    expect(javaStringHash('seckill-order-workers')).toBe(-1621003496); // java: "seckill-order-workers".hashCode()
    expect(javaStringHash('polygenelubricants')).toBe(-2147483648);
  });

  it('takes |n| as Kafka Utils.abs does (MIN_VALUE maps to 0)', () => {
    expect(javaAbs(-5)).toBe(5);
    expect(javaAbs(-2147483648)).toBe(0);
  });
});
