import type { RedisClient } from './redis-client';
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
  /** Set when reloaded after a Redis loss: admission waits until `endRecovery`. */
  recoveringSinceMs?: number;
  /** A lottery sale: its pre-queue opens here and is drawn at the start. */
  prequeueOpensAtMs?: number;
  /** Purchases need a solved challenge of this many leading zero bits (0: none). */
  challengeDifficulty?: number;
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
  /** Reloaded after a Redis loss at this time, and not admitting new tickets yet. */
  recoveringSinceMs?: number;
  prequeueOpensAtMs?: number;
  challengeDifficulty: number;
  /** Shoppers in the pre-queue (0 once drawn, or without a pre-queue). */
  prequeueSize: number;
  /** The pre-queue was drawn (a lottery sale, at or after the start). */
  prequeueDrawn: boolean;
}

/** A decided ticket as PostgreSQL knows it, to be restored after a Redis loss. */
export interface DecidedTicket {
  ticketId: string;
  saleId: string;
  userId: string;
  ticketNumber: number;
  status: 'SUCCEEDED' | 'FAILED';
  orderId?: string;
  reason?: string;
  decidedAt: number;
}

const RESTORE_CHUNK = 500;

export function createSaleState(
  redis: RedisClient,
  scripts: { loadSale: ScriptCall; endRecovery: ScriptCall; restoreTickets: ScriptCall },
  resultTtlSeconds: number,
) {
  const loadSaleScript = scripts.loadSale;
  return {
    /**
     * Before reloading a sale Redis lost: its decided tickets again, each held by its buyer (so
     * a repeat purchase answers it) and indexed for the push snapshot. Idempotent. False when the
     * sale is loaded already or a reload at a later epoch owns the load: then this one must not load.
     */
    async restoreTickets(saleId: string, epoch: number, tickets: readonly DecidedTicket[]): Promise<boolean> {
      const keys = [redisKeys.ticketsByUser(saleId), redisKeys.saleInfo(saleId), redisKeys.loading(saleId)];
      // At least one call, even with nothing to restore: it claims the load.
      for (let i = 0; i === 0 || i < tickets.length; i += RESTORE_CHUNK) {
        const args: (string | number)[] = [resultTtlSeconds, redisKeys.ticket(saleId, ''), epoch];
        for (const t of tickets.slice(i, i + RESTORE_CHUNK)) {
          args.push(t.ticketId, t.saleId, t.userId, t.ticketNumber, t.status, t.orderId ?? '', t.reason ?? '', t.decidedAt);
        }
        if ((await scripts.restoreTickets(keys, args)) === -1) return false;
      }
      return true;
    },

    /** Load a sale unless it is there; false when another load got there first. */
    async loadSale(sale: SaleToLoad): Promise<boolean> {
      const loaded = await loadSaleScript(
        [
          redisKeys.saleInfo(sale.id),
          redisKeys.stockTokens(sale.id),
          redisKeys.ticketSequence(sale.id),
          redisKeys.uncountedOrders(sale.id),
          redisKeys.loading(sale.id),
        ],
        [
          ...[
            sale.stock,
            sale.ticketNumberFloor,
            sale.id,
            sale.name,
            sale.initialStock,
            sale.queueCapacity,
            sale.startsAtMs,
            sale.endsAtMs,
            sale.epoch,
          ],
          sale.recoveringSinceMs ?? '',
          sale.challengeDifficulty ?? 0,
          sale.prequeueOpensAtMs ?? '',
        ],
      );
      // Outside the sale's slot: a plain command of its own.
      await redis.sadd(redisKeys.activeSales(), sale.id);
      return loaded === 1;
    },

    /** The sale at `epoch` admits again (a no-op once Redis reloaded it at a newer epoch). */
    async endRecovery(saleId: string, epoch: number): Promise<boolean> {
      return (await scripts.endRecovery([redisKeys.saleInfo(saleId)], [epoch])) === 1;
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
        .zcard(redisKeys.prequeue(saleId))
        .exists(redisKeys.prequeueDrawn(saleId))
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
        ...(info.recoveringSinceMs ? { recoveringSinceMs: Number(info.recoveringSinceMs) } : {}),
        ...(info.prequeueOpensAtMs ? { prequeueOpensAtMs: Number(info.prequeueOpensAtMs) } : {}),
        challengeDifficulty: Number(info.challengeDifficulty ?? 0),
        prequeueSize: Number(results[3]?.[1] ?? 0),
        prequeueDrawn: results[4]?.[1] === 1,
      };
    },
  };
}
