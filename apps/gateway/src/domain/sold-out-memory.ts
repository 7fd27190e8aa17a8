import type { Clock } from './clock';

/**
 * Remembers, in this process, which sales sold out, so the flood of requests that follows a
 * sell-out is answered 410 without a Redis round trip. Entries expire after `ttlMs` because
 * stock can come back (a cancel or an expired unpaid order anywhere in the cluster); a cancel
 * handled by this process forgets the sale at once.
 */
export interface SoldOutMemory {
  remember(saleId: string): void;
  isSoldOut(saleId: string): boolean;
  forget(saleId: string): void;
}

export function createSoldOutMemory(options: { ttlMs: number; clock: Clock }): SoldOutMemory {
  const soldOutUntil = new Map<string, number>();
  return {
    remember(saleId) {
      if (options.ttlMs > 0) soldOutUntil.set(saleId, options.clock() + options.ttlMs);
    },
    isSoldOut(saleId) {
      const until = soldOutUntil.get(saleId);
      if (until === undefined) return false;
      if (options.clock() < until) return true;
      soldOutUntil.delete(saleId);
      return false;
    },
    forget(saleId) {
      soldOutUntil.delete(saleId);
    },
  };
}
