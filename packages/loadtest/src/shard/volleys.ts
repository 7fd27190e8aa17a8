import { randomUUID } from 'node:crypto';
import { SeckillApiError } from '@seckill/client';
import type { Answer, ShopperSpec, Tag } from '../crowd-shard';
import { fireHerd, type Shot } from '../herd';
import { dropConnection, type Shopper } from '../shoppers';
import type { Purchases } from './purchases';
import { errorCode } from './responses';

/** One shot of a volley: a press (and its presses again) under one tag. */
export interface ShardShot {
  tag: Answer['tag'];
  fire(): Promise<Answer[]>;
}

/** Fires volleys of shots at once and counts, for progress, the shots of the current one answered so far. */
export function createShooter(): { shoot(shots: ShardShot[], at: number): Promise<Answer[]>; answered(): number } {
  let answered = 0;
  return {
    answered: () => answered,
    async shoot(shots, at) {
      const collected: Answer[] = [];
      answered = 0;
      const herdShots: Array<Shot<Answer['tag']>> = shots.map((shot) => ({
        tag: shot.tag,
        fire: async () => {
          const answers = await shot
            .fire()
            .catch((error: unknown) => [
              { tag: shot.tag, startedAt: at, answeredAt: Date.now(), status: 0, code: errorCode(error) ?? 'ERROR' },
            ]);
          collected.push(...answers);
          answered++;
          return answers.at(-1)!;
        },
      }));
      await fireHerd(herdShots, { at });
      return collected;
    },
  };
}

/**
 * The herd's shots in random order: every click of every shopper, and their malformed and bad-token
 * requests. A shopper cancels, or loses their connections, once all their clicks are answered;
 * `settled` waits for those cancels.
 */
export function herdShots(options: { shoppers: Shopper[]; specs: Map<string, ShopperSpec>; saleId: string; purchases: Purchases }): {
  shots: ShardShot[];
  settled(): Promise<{ forcedDisconnects: number }>;
} {
  const { saleId, purchases } = options;
  const cancels: Array<Promise<void>> = [];
  let forcedDisconnects = 0;
  const afterClicks = (shopper: Shopper) => {
    const ticketId = shopper.tickets.keys().next().value;
    if (!ticketId) return;
    if (shopper.behaviour.cancel) {
      cancels.push(
        shopper.sessions[0]!.client.cancel(ticketId).then(
          () => void (shopper.cancel = { ticketId, status: 200 }),
          (error: unknown) =>
            void (shopper.cancel = {
              ticketId,
              status: error instanceof SeckillApiError ? error.status : 0,
              ...(errorCode(error) ? { code: errorCode(error)! } : {}),
            }),
        ),
      );
    }
    if (shopper.behaviour.reconnect) {
      for (const session of shopper.sessions) dropConnection(session);
      forcedDisconnects += shopper.sessions.length;
    }
  };
  const shots: Array<ShardShot & { tag: Tag }> = [];
  for (const shopper of options.shoppers) {
    const spec = options.specs.get(shopper.userId)!;
    let remaining = shopper.behaviour.clicks;
    for (let c = 0; c < shopper.behaviour.clicks; c++) {
      // Cancel and drop only once all of this shopper's clicks are answered (a cancel frees the user to buy again).
      shots.push({ tag: 'buy', fire: () => purchases.buy(shopper, saleId, 0).finally(() => --remaining === 0 && afterClicks(shopper)) });
    }
    const orders = `/api/sales/${saleId}/orders`;
    if (spec.malformed === 'malformed') {
      const headers = { authorization: `Bearer ${shopper.token}`, 'content-type': 'application/json' };
      shots.push({ tag: 'malformed', fire: () => purchases.rawPost(shopper, 'malformed', orders, headers, '{"quantity": 1,') });
    } else if (spec.malformed === 'unknown-sale') {
      shots.push({
        tag: 'unknown-sale',
        fire: () =>
          purchases.rawPost(shopper, 'unknown-sale', `/api/sales/${randomUUID()}/orders`, { authorization: `Bearer ${shopper.token}` }),
      });
    }
    if (spec.badToken !== undefined) {
      const headers = { authorization: `Bearer ${spec.badToken}` };
      shots.push({ tag: 'bad-token', fire: () => purchases.rawPost(shopper, 'bad-token', orders, headers) });
    }
  }
  shuffle(shots);
  return {
    shots,
    async settled() {
      await Promise.all(cancels);
      return { forcedDisconnects };
    },
  };
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
