import { withDeadline, type Logger } from '@seckill/platform';
import type { RedisState } from '@seckill/redis-state';
import type { Clock } from './clock';

/** How far the order workers are through the orders topic, per partition. */
export interface OrderQueueProgress {
  /** The offset the next message will get: the end of each partition's log now. */
  endOffsets(): Promise<Map<number, number>>;
  /** The order workers' committed offset per partition (-1 before their first commit). */
  committedOffsets(): Promise<Map<number, number>>;
}

export interface SaleRecovery {
  /** Ends the sale's recovery once it is safe (idempotent; one watch per sale and process). */
  watch(saleId: string): Promise<void>;
}

/** Every message that was on the topic at `target` has been consumed and committed. */
export function consumedUpTo(target: ReadonlyMap<number, number>, committed: ReadonlyMap<number, number>): boolean {
  for (const [partition, end] of target) {
    if (end > 0 && (committed.get(partition) ?? -1) < end) return false;
  }
  return true;
}

/**
 * A sale reloaded from PostgreSQL after a Redis loss admits nobody new until the tickets admitted
 * before the loss are decided: they are still in Kafka (or in a gateway's last batch), PostgreSQL
 * does not know them yet, and their holders must get them back when they press again, not a second
 * ticket. So the recovery ends once the order workers have consumed everything that was on the
 * orders topic `settleMs` after the reload (time for the last batches from before the loss to
 * land), or after `maxMs` whatever the workers do (the sale must not stay shut while they are down).
 * Every gateway that answers RECOVERING runs the same watch; the first to see it safe ends it.
 */
export function createSaleRecovery(options: {
  redisState: Pick<RedisState, 'readSale' | 'endRecovery'>;
  orderQueue: OrderQueueProgress;
  clock: Clock;
  logger: Logger;
  settleMs: number;
  maxMs: number;
  pollMs?: number;
  /** No single Kafka call waits longer. */
  kafkaTimeoutMs?: number;
}): SaleRecovery {
  const { redisState, orderQueue, clock, logger } = options;
  const pollMs = options.pollMs ?? 250;
  const kafkaTimeoutMs = options.kafkaTimeoutMs ?? 2_000;
  const watching = new Map<string, Promise<void>>();
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

  async function recover(saleId: string): Promise<void> {
    const sale = await redisState.readSale(saleId);
    if (sale?.recoveringSinceMs === undefined) return;
    const { epoch, recoveringSinceMs } = sale;
    const openAt = recoveringSinceMs + options.maxMs;
    await sleep(recoveringSinceMs + options.settleMs - clock());
    const fromKafka = <T>(work: Promise<T>) =>
      withDeadline(work, Math.max(1, Math.min(kafkaTimeoutMs, openAt - clock())), 'the orders topic offsets');
    let target: Map<number, number> | undefined;
    while (clock() < openAt) {
      try {
        target ??= await fromKafka(orderQueue.endOffsets());
        if (consumedUpTo(target, await fromKafka(orderQueue.committedOffsets()))) {
          if (await redisState.endRecovery(saleId, epoch))
            logger.info(
              { saleId, epoch, recoveredInMs: clock() - recoveringSinceMs },
              'sale recovered: every ticket from before the Redis loss is decided',
            );
          return;
        }
      } catch (err) {
        logger.warn({ err, saleId }, "could not read the order workers' progress; retrying");
      }
      await sleep(Math.min(pollMs, openAt - clock()));
    }
    if (await redisState.endRecovery(saleId, epoch)) {
      logger.warn(
        { saleId, epoch, maxMs: options.maxMs },
        'sale admits again before the order workers caught up with the tickets from before the Redis loss',
      );
    }
  }

  return {
    watch(saleId) {
      let watch = watching.get(saleId);
      if (!watch) {
        watch = recover(saleId)
          .catch((err: unknown) => logger.warn({ err, saleId }, 'sale recovery watch failed; the next purchase starts it again'))
          .finally(() => watching.delete(saleId));
        watching.set(saleId, watch);
      }
      return watch;
    },
  };
}
