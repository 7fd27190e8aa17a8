import type { Redis } from 'ioredis';
import { redisKeys } from './keys';
import type { ScriptCall } from './scripts';

export interface SaleToLoad {
  id: string;
  name: string;
  /** What PostgreSQL can still sell: the stock tokens start there. */
  stock: number;
  initialStock: number;
  queueCapacity: number;
  startsAtMs: number;
  endsAtMs: number;
  /** The ticket epoch PostgreSQL handed out for this load. */
  epoch: number;
  /** Ticket numbers continue above this. */
  ticketNumberFloor: number;
}

/** A sale as Redis holds it, with its live figures. */
export interface SaleRuntime {
  id: string;
  name: string;
  initialStock: number;
  queueCapacity: number;
  startsAtMs: number;
  endsAtMs: number;
  epoch: number;
  stockTokens: number;
  queueDepth: number;
}

export function createSaleState(redis: Redis, loadSaleScript: ScriptCall) {
  return {
    /** Load a sale unless it is there; false when another load got there first. */
    async loadSale(sale: SaleToLoad): Promise<boolean> {
      const loaded = await loadSaleScript(
        [redisKeys.saleInfo(sale.id), redisKeys.stockTokens(sale.id), redisKeys.ticketSequence(sale.id)],
        [sale.stock, sale.ticketNumberFloor, sale.id, sale.name, sale.initialStock, sale.queueCapacity, sale.startsAtMs, sale.endsAtMs, sale.epoch],
      );
      // Outside the sale's slot: a plain command of its own.
      await redis.sadd(redisKeys.activeSales(), sale.id);
      return loaded === 1;
    },

    async saleLoaded(saleId: string): Promise<boolean> {
      return (await redis.exists(redisKeys.saleInfo(saleId))) === 1;
    },

    async readSale(saleId: string): Promise<SaleRuntime | undefined> {
      const results = await redis
        .pipeline()
        .hgetall(redisKeys.saleInfo(saleId))
        .get(redisKeys.stockTokens(saleId))
        .zcard(redisKeys.queuedTickets(saleId))
        .exec();
      if (!results) return undefined;
      for (const [error] of results) if (error) throw error;
      const info = results[0]?.[1] as Record<string, string>;
      if (!info.id) return undefined;
      return {
        id: info.id,
        name: info.name ?? '',
        initialStock: Number(info.initialStock),
        queueCapacity: Number(info.queueCapacity),
        startsAtMs: Number(info.startsAtMs),
        endsAtMs: Number(info.endsAtMs),
        epoch: Number(info.epoch ?? 1),
        stockTokens: Number(results[1]?.[1] ?? 0),
        queueDepth: Number(results[2]?.[1] ?? 0),
      };
    },
  };
}
