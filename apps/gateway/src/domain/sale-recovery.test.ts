import { createLogger } from '@seckill/platform';
import { consumedUpTo, createSaleRecovery, type OrderQueueProgress } from './sale-recovery';

const logger = createLogger({ name: 'sale-recovery-test', level: 'silent' });

describe('consumedUpTo', () => {
  it('needs every partition that had messages committed up to its end', () => {
    const target = new Map([
      [0, 5],
      [1, 0],
      [2, 3],
    ]);
    expect(
      consumedUpTo(
        target,
        new Map([
          [0, 5],
          [2, 3],
        ]),
      ),
    ).toBe(true);
    expect(
      consumedUpTo(
        target,
        new Map([
          [0, 5],
          [1, -1],
          [2, 2],
        ]),
      ),
    ).toBe(false);
    expect(
      consumedUpTo(
        target,
        new Map([
          [0, 7],
          [2, -1],
        ]),
      ),
    ).toBe(false);
  });
});

describe('createSaleRecovery', () => {
  function setup(progress: Partial<OrderQueueProgress> = {}, timings = { settleMs: 20, maxMs: 2_000 }) {
    const ended: number[] = [];
    let recovering = true;
    const committed = new Map([[0, -1]]);
    const recovery = createSaleRecovery({
      redisState: {
        readSale: async () => ({
          id: 's',
          name: 's',
          initialStock: 1,
          queueCapacity: 1,
          startsAtMs: 0,
          endsAtMs: 1,
          epoch: 3,
          stockTokens: 1,
          queueDepth: 0,
          challengeDifficulty: 0,
          prequeueSize: 0,
          prequeueDrawn: false,
          ...(recovering ? { recoveringSinceMs: Date.now() } : {}),
        }),
        endRecovery: async (_saleId, epoch) => {
          ended.push(epoch);
          recovering = false;
          return true;
        },
      },
      orderQueue: { endOffsets: async () => new Map([[0, 4]]), committedOffsets: async () => committed, ...progress },
      clock: Date.now,
      logger,
      pollMs: 10,
      ...timings,
    });
    return { recovery, ended, committed };
  }

  it('ends the recovery once the workers consumed what was on the topic', async () => {
    const { recovery, ended, committed } = setup();
    const watch = recovery.watch('s');
    expect(recovery.watch('s')).toBe(watch);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ended).toEqual([]);
    committed.set(0, 4);
    await watch;
    expect(ended).toEqual([3]);
  });

  it('opens the sale after maxMs when the workers do not catch up, or Kafka cannot be read', async () => {
    const started = Date.now();
    const { recovery, ended } = setup({ committedOffsets: () => new Promise(() => undefined) }, { settleMs: 0, maxMs: 300 });
    await recovery.watch('s');
    expect(ended).toEqual([3]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('does nothing for a sale that is not recovering', async () => {
    const { recovery, ended, committed } = setup();
    committed.set(0, 4);
    await recovery.watch('s');
    await recovery.watch('s');
    expect(ended).toEqual([3]);
  });
});
