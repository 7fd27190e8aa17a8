import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { challengePreimage, hasLeadingZeroBits, type PurchaseChallenge } from '@seckill/contracts';
import type { VerifiedChallenge } from '@seckill/redis-state';
import type { Clock } from './clock';

/** Why a presented challenge was not taken. */
export type ChallengeProblem = 'malformed' | 'forged' | 'not yours' | 'expired' | 'not solved';

export interface PurchaseChallenges {
  /** A fresh challenge for this user and sale (the caller checked that the sale is open). */
  issue(request: { saleId: string; userId: string; difficulty: number }): PurchaseChallenge;
  /** Signature, user, sale, expiry and proof of work; single use is the admission script's to enforce. */
  verify(request: {
    saleId: string;
    userId: string;
    challenge: string;
    solution: string;
  }): VerifiedChallenge | { problem: ChallengeProblem };
}

const VERSION = 'v1';
const SOLUTION_PATTERN = /^\d{1,16}$/;

/**
 * Stateless purchase challenges: `v1.<saleId>.<userId>.<difficulty>.<expiresAtMs>.<nonce>.<mac>`,
 * HMAC-SHA256-signed with a key derived from `secret` (every gateway shares it), so any gateway
 * checks one without a lookup. Ids never contain dots (a uuid, USER_ID_PATTERN). The nonce makes
 * each challenge unique: the admission script marks it used.
 */
export function createPurchaseChallenges(options: { secret: string; ttlMs: number; clock: Clock }): PurchaseChallenges {
  const { ttlMs, clock } = options;
  // Its own key, not the JWT secret itself: a challenge can never pass for a token, nor the reverse.
  const key = createHmac('sha256', options.secret).update('seckill purchase challenge v1').digest();
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

  return {
    issue({ saleId, userId, difficulty }) {
      const expiresAtMs = clock() + ttlMs;
      const payload = [VERSION, saleId, userId, difficulty, expiresAtMs, randomBytes(12).toString('base64url')].join('.');
      return { challenge: `${payload}.${sign(payload)}`, difficulty, expiresAt: new Date(expiresAtMs).toISOString() };
    },

    verify({ saleId, userId, challenge, solution }) {
      const parts = challenge.split('.');
      if (parts.length !== 7 || parts[0] !== VERSION || !SOLUTION_PATTERN.test(solution)) return { problem: 'malformed' };
      const [, forSale, forUser, difficultyText, expiresAtText, nonce, mac] = parts as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      const expected = Buffer.from(sign(parts.slice(0, 6).join('.')));
      const given = Buffer.from(mac);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { problem: 'forged' };
      if (forSale !== saleId || forUser !== userId) return { problem: 'not yours' };
      const expiresAtMs = Number(expiresAtText);
      if (clock() >= expiresAtMs) return { problem: 'expired' };
      const difficulty = Number(difficultyText);
      const digest = createHash('sha256').update(challengePreimage(challenge, solution)).digest();
      if (!hasLeadingZeroBits(digest, difficulty)) return { problem: 'not solved' };
      return { nonce, difficulty, expiresAtMs };
    },
  };
}
