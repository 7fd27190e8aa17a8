import { createHash } from 'node:crypto';
import { challengePreimage, hasLeadingZeroBits } from './challenge';

describe('hasLeadingZeroBits', () => {
  it.each([
    [[0x00, 0x00, 0xff], 16, true],
    [[0x00, 0x00, 0xff], 17, false],
    [[0x00, 0x0f, 0xff], 12, true],
    [[0x00, 0x1f, 0xff], 12, false],
    [[0x80], 0, true],
    [[0x7f], 1, true],
  ])('%p has %i leading zero bits: %p', (bytes, bits, expected) => {
    expect(hasLeadingZeroBits(Uint8Array.from(bytes), bits)).toBe(expected);
  });

  it('checks a found solution the way a solver finds it', () => {
    let solution = 0;
    const digest = (n: number) =>
      createHash('sha256')
        .update(challengePreimage('c', String(n)))
        .digest();
    while (!hasLeadingZeroBits(digest(solution), 8)) solution++;
    expect(digest(solution)[0]).toBe(0);
  });
});
