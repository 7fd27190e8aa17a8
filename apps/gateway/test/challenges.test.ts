import { createHash } from 'node:crypto';
import {
  CHALLENGE_HEADER,
  CHALLENGE_SOLUTION_HEADER,
  challengePreimage,
  hasLeadingZeroBits,
  type PurchaseChallenge,
  type TicketReceipt,
} from '@seckill/contracts';
import { uniqueName } from '@seckill/platform/testing';
import { gatewayForSuite } from './gateway-harness';

const solves = (challenge: string, n: number, difficulty = 8) =>
  hasLeadingZeroBits(
    createHash('sha256')
      .update(challengePreimage(challenge, String(n)))
      .digest(),
    difficulty,
  );
/** Solves a challenge the way the SDK does, on this thread. */
function solve({ challenge, difficulty }: PurchaseChallenge): string {
  for (let n = 0; ; n++) if (solves(challenge, n, difficulty)) return String(n);
}
/** A number that does not solve it. */
function unsolved(challenge: string): string {
  for (let n = 0; ; n++) if (!solves(challenge, n)) return String(n);
}

describe('bot friction: purchase challenges', () => {
  let offsetMs = 0;
  const clock = () => Date.now() + offsetMs;
  const gateway = gatewayForSuite({ CHALLENGE_TTL_MS: '30000' }, { clock });
  beforeEach(() => {
    offsetMs = 0;
  });

  const auth = (userId: string) => ({ authorization: `Bearer ${gateway.userToken(userId)}` });
  const getChallenge = (saleId: string, userId: string) =>
    gateway.app.inject({ method: 'POST', url: `/api/sales/${saleId}/challenge`, headers: auth(userId) });
  const buy = (saleId: string, userId: string, solved?: { challenge: string; solution: string }) =>
    gateway.app.inject({
      method: 'POST',
      url: `/api/sales/${saleId}/orders`,
      headers: {
        ...auth(userId),
        ...(solved ? { [CHALLENGE_HEADER]: solved.challenge, [CHALLENGE_SOLUTION_HEADER]: solved.solution } : {}),
      },
    });
  async function solvedChallenge(saleId: string, userId: string) {
    const response = await getChallenge(saleId, userId);
    expect(response.statusCode).toBe(201);
    const challenge = response.json<PurchaseChallenge>();
    return { challenge: challenge.challenge, solution: solve(challenge) };
  }
  const errorCode = (response: { json: () => { error: { code: string; message: string } } }) => response.json().error;

  it('issues no challenge before the start, so the purchase cannot be fired early', async () => {
    const sale = await gateway.createSale({ challengeDifficulty: 8, startsAt: new Date(Date.now() + 60_000).toISOString() });
    const early = await getChallenge(sale.id, uniqueName('early'));
    expect([early.statusCode, errorCode(early).code]).toEqual([403, 'SALE_NOT_ACTIVE']);
    expect(errorCode(await buy(sale.id, uniqueName('early'))).code).toBe('SALE_NOT_ACTIVE');
    offsetMs = 61_000;
    const open = await getChallenge(sale.id, uniqueName('on-time'));
    expect(open.statusCode).toBe(201);
    expect(open.json<PurchaseChallenge>()).toEqual({
      challenge: expect.stringMatching(/^v1\./),
      difficulty: 8,
      expiresAt: expect.any(String),
    });
  });

  it('asks for a solved challenge, takes it once, and gives the holder their ticket without one', async () => {
    const sale = await gateway.createSale({ stock: 5, challengeDifficulty: 8 });
    expect(sale.challengeDifficulty).toBe(8);
    const shopper = uniqueName('human');
    const required = await buy(sale.id, shopper);
    expect([required.statusCode, errorCode(required).code]).toEqual([428, 'CHALLENGE_REQUIRED']);

    const solved = await solvedChallenge(sale.id, shopper);
    const bought = await buy(sale.id, shopper, solved);
    expect(bought.statusCode).toBe(202);
    const again = await buy(sale.id, shopper);
    expect(again.json<TicketReceipt>().ticketId).toBe(bought.json<TicketReceipt>().ticketId);

    // Released (cancelled), the shopper needs a new challenge: the used one is refused.
    await gateway.app.inject({ method: 'DELETE', url: `/api/tickets/${bought.json<TicketReceipt>().ticketId}`, headers: auth(shopper) });
    const reused = await buy(sale.id, shopper, solved);
    expect([reused.statusCode, errorCode(reused).message]).toEqual([403, expect.stringMatching(/already used/)]);
    expect((await buy(sale.id, shopper, await solvedChallenge(sale.id, shopper))).statusCode).toBe(202);
  });

  it.each([
    ["someone else's", (solved: { challenge: string; solution: string }) => ({ ...solved, userId: uniqueName('thief') }), /not yours/],
    [
      'an unsolved',
      (solved: { challenge: string; solution: string }) => ({ ...solved, solution: unsolved(solved.challenge) }),
      /not solved/,
    ],
    [
      'a forged',
      (solved: { challenge: string; solution: string }) => ({ ...solved, challenge: solved.challenge.replace('.8.', '.1.') }),
      /forged/,
    ],
  ])('refuses %s challenge with 403 CHALLENGE_INVALID', async (_name, tamper, message) => {
    const sale = await gateway.createSale({ challengeDifficulty: 8 });
    const owner = uniqueName('owner');
    const presented = { userId: owner, ...tamper(await solvedChallenge(sale.id, owner)) };
    const refused = await buy(sale.id, presented.userId, presented);
    expect([refused.statusCode, errorCode(refused).code]).toEqual([403, 'CHALLENGE_INVALID']);
    expect(errorCode(refused).message).toMatch(message);
  });

  it('refuses an expired challenge', async () => {
    const sale = await gateway.createSale({ challengeDifficulty: 8 });
    const shopper = uniqueName('slow');
    const solved = await solvedChallenge(sale.id, shopper);
    offsetMs = 31_000;
    expect(errorCode(await buy(sale.id, shopper, solved)).message).toMatch(/expired/);
  });

  it('answers 409 for a sale without bot friction', async () => {
    const sale = await gateway.createSale();
    expect((await getChallenge(sale.id, uniqueName('any'))).statusCode).toBe(409);
  });
});
