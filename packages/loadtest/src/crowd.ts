import type { Shares } from './options';

/** What one shopper will do, decided up front from the shares and the seed. */
export interface Behaviour {
  /** Purchase clicks fired with the herd (1, 2 or 3). */
  clicks: number;
  cancel: boolean;
  malformed: boolean;
  badToken: boolean;
  reconnect: boolean;
  secondTab: boolean;
  early: boolean;
}

/** mulberry32: a tiny seeded PRNG, so a run's crowd can be reproduced with --seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Give each behaviour to exactly round(share × users) shoppers, chosen at random
 * (independently per behaviour), so small runs still contain every behaviour.
 */
export function assignBehaviours(users: number, shares: Shares, random: () => number): Behaviour[] {
  const pick = (share: number) => {
    const chosen = new Set<number>();
    const count = Math.min(users, Math.round(share * users));
    const order = Array.from({ length: users }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(random() * (users - i));
      [order[i], order[j]] = [order[j]!, order[i]!];
      chosen.add(order[i]!);
    }
    return chosen;
  };
  const repeatClickers = pick(shares.doubleClick + shares.tripleClick);
  const tripleShare = shares.doubleClick + shares.tripleClick > 0 ? shares.tripleClick / (shares.doubleClick + shares.tripleClick) : 0;
  const cancel = pick(shares.cancel);
  const malformed = pick(shares.malformed);
  const badToken = pick(shares.badToken);
  const reconnect = pick(shares.reconnect);
  const secondTab = pick(shares.secondTab);
  const early = pick(shares.early);
  let triplesLeft = Math.round(repeatClickers.size * tripleShare);
  return Array.from({ length: users }, (_, i) => {
    let clicks = 1;
    if (repeatClickers.has(i)) {
      clicks = triplesLeft > 0 ? 3 : 2;
      if (clicks === 3) triplesLeft--;
    }
    return {
      clicks,
      cancel: cancel.has(i),
      malformed: malformed.has(i),
      badToken: badToken.has(i),
      reconnect: reconnect.has(i),
      secondTab: secondTab.has(i),
      early: early.has(i),
    };
  });
}
