import { randomUUID } from 'node:crypto';
import { formatTicketId } from '@seckill/contracts';
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import { redisKeys, ticketIssuingKeys } from './keys';
import { redisStateSuite } from './redis-suite';

/**
 * The lottery is fair: over many real draws (admit-ticket.lua's random ranks, draw-prequeue.lua's
 * numbering) every order of the pre-queue is equally likely, and the place a shopper gets does not
 * depend on when they arrived in the pre-queue. A false alarm has a probability of about 1e-4 per
 * run (each p-value is checked against 1e-5, or |z| against 4.4); the FIFO control shows that the
 * same statistics do catch an unfair order.
 */
const ENTRANTS = 5;
const DRAWS = 3_000;
const PERMUTATIONS = 120; // 5!
const ALPHA = 1e-5;

/** Pearson's chi-square statistic of observed counts against one expected count per cell. */
function chiSquare(observed: readonly number[], expected: number): number {
  return observed.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
}
const pValue = (statistic: number, degreesOfFreedom: number) => 1 - chisquareCdf(statistic, degreesOfFreedom);

/** The statistics of a list of draws, each the place (0-based) of the shopper who arrived i-th. */
function fairness(draws: readonly number[][]) {
  const n = ENTRANTS;
  const byArrival = Array.from({ length: n * n }, () => 0);
  const byPermutation = new Map<string, number>();
  let spearmanSum = 0;
  for (const places of draws) {
    places.forEach((place, arrival) => (byArrival[arrival * n + place] = byArrival[arrival * n + place]! + 1));
    const key = places.join(',');
    byPermutation.set(key, (byPermutation.get(key) ?? 0) + 1);
    // Spearman's rho between arrival and place (no ties): 1 - 6 sum d^2 / (n (n^2 - 1)).
    spearmanSum += 1 - (6 * places.reduce((sum, place, arrival) => sum + (place - arrival) ** 2, 0)) / (n * (n * n - 1));
  }
  const permutationCounts = [...byPermutation.values(), ...Array.from({ length: PERMUTATIONS - byPermutation.size }, () => 0)];
  return {
    /** Every one of the n! orders equally likely: goodness of fit, n! - 1 degrees of freedom. */
    permutationsP: pValue(chiSquare(permutationCounts, draws.length / PERMUTATIONS), PERMUTATIONS - 1),
    /** Place independent of arrival: the n x n table of (arrival, place) counts, (n - 1)^2 degrees of freedom. */
    arrivalP: pValue(chiSquare(byArrival, draws.length / n), (n - 1) ** 2),
    /** Mean Spearman rho over the draws, as a z-score (rho has mean 0 and variance 1 / (n - 1) under fairness). */
    correlationZ: (spearmanSum / draws.length) * Math.sqrt(draws.length * (n - 1)),
  };
}

describe('the pre-queue draw (real Redis)', () => {
  // Every key a sale here has (KEYS over the whole keyspace per sale would take seconds).
  const suite = redisStateSuite((_redis, saleId) => [
    ...ticketIssuingKeys(saleId),
    ...Array.from({ length: ENTRANTS }, (_, i) => redisKeys.ticket(saleId, formatTicketId(saleId, i + 1))),
  ]);

  /** One lottery sale: ENTRANTS shoppers join one after the other, then the draw; the place of each, by arrival. */
  async function drawOnce(): Promise<number[]> {
    const saleId = randomUUID();
    suite.saleIds.push(saleId);
    const startsAtMs = Date.now() + 60_000;
    await suite.state.loadSale({
      id: saleId,
      name: 'fairness',
      stock: ENTRANTS,
      initialStock: ENTRANTS,
      queueCapacity: ENTRANTS,
      startsAtMs,
      endsAtMs: startsAtMs + 60_000,
      epoch: 1,
      ticketNumberFloor: 0,
      prequeueOpensAtMs: startsAtMs - 120_000,
    });
    const arrivals = Array.from({ length: ENTRANTS }, (_, i) => `arrival-${i}`);
    for (const [i, userId] of arrivals.entries()) {
      const joined = await suite.state.admitTicket({
        saleId,
        userId,
        nowMs: startsAtMs - 60_000 + i,
        deadlineMs: Date.now() + 5_000,
        relayAfterMs: 60_000,
      });
      if (joined.kind !== 'PREQUEUED') throw new Error(`joining answered ${joined.kind}`);
    }
    const drawn = await suite.state.drawPrequeue(saleId, { nowMs: startsAtMs, relayAfterMs: 60_000 });
    if (drawn.kind !== 'DRAWN' || drawn.tickets.length !== ENTRANTS) throw new Error(`the draw answered ${JSON.stringify(drawn)}`);
    const numberOf = new Map(drawn.tickets.map((ticket) => [ticket.userId, ticket.ticketNumber]));
    return arrivals.map((userId) => numberOf.get(userId)! - 1);
  }

  it(`gives every order of ${ENTRANTS} shoppers the same chance over ${DRAWS} draws, whatever their arrival`, async () => {
    const draws: number[][] = [];
    const parallel = 50;
    for (let i = 0; i < DRAWS; i += parallel) draws.push(...(await Promise.all(Array.from({ length: parallel }, drawOnce))));

    const { permutationsP, arrivalP, correlationZ } = fairness(draws);
    expect(permutationsP).toBeGreaterThan(ALPHA);
    expect(arrivalP).toBeGreaterThan(ALPHA);
    expect(Math.abs(correlationZ)).toBeLessThan(4.4);
  }, 60_000);

  it('would catch an order that follows arrival (the statistics have power)', () => {
    const fifo = Array.from({ length: DRAWS }, () => Array.from({ length: ENTRANTS }, (_, arrival) => arrival));
    const fifoStats = fairness(fifo);
    expect(fifoStats.permutationsP).toBeLessThan(ALPHA);
    expect(fifoStats.arrivalP).toBeLessThan(ALPHA);
    expect(fifoStats.correlationZ).toBeGreaterThan(4.4);

    // A subtle bias: the first to arrive swaps into first place one draw in ten, otherwise fair.
    const shuffle = () => {
      const places = Array.from({ length: ENTRANTS }, (_, i) => i);
      for (let i = places.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [places[i], places[j]] = [places[j]!, places[i]!];
      }
      return places;
    };
    const biased = Array.from({ length: DRAWS }, (_, draw) => {
      const places = shuffle();
      if (draw % 10 === 0) {
        const holder = places.indexOf(0);
        [places[0], places[holder]] = [0, places[0]!];
      }
      return places;
    });
    expect(fairness(biased).arrivalP).toBeLessThan(ALPHA);
  });
});
