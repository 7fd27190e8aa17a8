import { redisKeys } from './keys';
import type { ScriptCall } from './scripts';

/** Fields of a sale that may change before it starts; undefined leaves a field as it is. */
export interface UpcomingSaleChange {
  name?: string;
  /** The new stock: the stock tokens and the initial stock both become this. */
  stock?: number;
  queueCapacity?: number;
  startsAtMs?: number;
  endsAtMs?: number;
  /** `null` turns the lottery off. */
  prequeueOpensAtMs?: number | null;
  challengeDifficulty?: number;
}

export type UpdateSaleReply = 'OK' | 'NOT_LOADED' | 'STARTED' | 'HAS_TICKETS';
export type EndSaleReply = { kind: 'ENDED'; endsAtMs: number; queued: number } | { kind: 'NOT_LOADED' };

/** What an operator does to a sale in Redis (lua/update-sale.lua, lua/end-sale.lua). */
export function createSaleAdminState(scripts: { updateSale: ScriptCall; endSale: ScriptCall }) {
  const field = (value: string | number | undefined) => (value === undefined ? '' : value);
  return {
    /** Change a sale that has not started nor opened its pre-queue (refused within `leadMs` of either, or once anyone holds a ticket or a place). */
    async updateUpcomingSale(saleId: string, change: UpcomingSaleChange, leadMs: number): Promise<UpdateSaleReply> {
      const [reply] = (await scripts.updateSale(
        [
          redisKeys.saleInfo(saleId),
          redisKeys.stockTokens(saleId),
          redisKeys.ticketsByUser(saleId),
          redisKeys.queuedTickets(saleId),
          redisKeys.prequeue(saleId),
        ],
        [
          ...[
            leadMs,
            field(change.name),
            field(change.stock),
            field(change.queueCapacity),
            field(change.startsAtMs),
            field(change.endsAtMs),
          ],
          change.prequeueOpensAtMs === null ? '-' : field(change.prequeueOpensAtMs),
          field(change.challengeDifficulty),
        ],
      )) as [UpdateSaleReply];
      return reply;
    },

    /** End a sale now: nobody new is admitted; the queued tickets stay for the workers to decide. */
    async endSale(saleId: string): Promise<EndSaleReply> {
      const reply = (await scripts.endSale([redisKeys.saleInfo(saleId), redisKeys.queuedTickets(saleId)], [])) as [
        string,
        number?,
        number?,
      ];
      return reply[0] === 'ENDED' ? { kind: 'ENDED', endsAtMs: Number(reply[1]), queued: Number(reply[2]) } : { kind: 'NOT_LOADED' };
    },
  };
}
