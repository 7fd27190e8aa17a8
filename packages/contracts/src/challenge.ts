// Kept free of zod: the browser SDK (and its challenge worker) imports this module.
/**
 * The purchase challenge's proof of work, shared by the gateway (which checks it) and the SDK
 * (which solves it): find a `solution` (a decimal counter) such that
 * SHA-256(`<challenge>.<solution>`) starts with `difficulty` zero bits. About 2^difficulty
 * hashes on average; checking one is a single hash.
 */
export function challengePreimage(challenge: string, solution: string): string {
  return `${challenge}.${solution}`;
}

/** Whether `digest` (SHA-256 bytes) starts with at least `bits` zero bits. */
export function hasLeadingZeroBits(digest: Uint8Array, bits: number): boolean {
  const fullBytes = Math.floor(bits / 8);
  for (let i = 0; i < fullBytes; i++) if (digest[i] !== 0) return false;
  const rest = bits % 8;
  return rest === 0 || (digest[fullBytes] ?? 0xff) >> (8 - rest) === 0;
}

/** Request headers a purchase carries its solved challenge in. */
export const CHALLENGE_HEADER = 'x-seckill-challenge';
export const CHALLENGE_SOLUTION_HEADER = 'x-seckill-solution';

/** The difficulty we recommend and measured (README: what it costs a shopper and a bot). */
export const DEFAULT_CHALLENGE_DIFFICULTY = 16;
