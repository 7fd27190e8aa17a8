import { createHash } from 'node:crypto';
import { challengePreimage, hasLeadingZeroBits } from '@seckill/contracts';
import { sha256 } from '@noble/hashes/sha2';
import { createWorkerThreadChallengeSolver } from '../node';
import { createInlineChallengeSolver, solveChallenge } from './solver';

const solves = (challenge: string, solution: string, difficulty: number) =>
  hasLeadingZeroBits(createHash('sha256').update(challengePreimage(challenge, solution)).digest(), difficulty);

describe('challenge solvers', () => {
  it('finds the smallest solution with the library hash (what the browser worker runs)', () => {
    const solution = solveChallenge('v1.some-challenge', 10, sha256);
    expect(solves('v1.some-challenge', solution, 10)).toBe(true);
    for (let n = 0; n < Number(solution); n++) expect(solves('v1.some-challenge', String(n), 10)).toBe(false);
  });

  it('agrees on WebCrypto, on this thread', async () => {
    await expect(createInlineChallengeSolver()({ challenge: 'v1.x', difficulty: 8 })).resolves.toBe(solveChallenge('v1.x', 8, sha256));
  });

  it('solves in a worker thread, several at once, while the event loop stays free', async () => {
    const solver = createWorkerThreadChallengeSolver();
    try {
      let ticks = 0;
      const ticker = setInterval(() => (ticks += 1), 1);
      const challenges = ['v1.a', 'v1.b', 'v1.c'];
      const solutions = await Promise.all(challenges.map((challenge) => solver({ challenge, difficulty: 14 })));
      clearInterval(ticker);
      challenges.forEach((challenge, i) => expect(solves(challenge, solutions[i]!, 14)).toBe(true));
      expect(ticks).toBeGreaterThan(5);
    } finally {
      solver.close();
    }
  });
});
