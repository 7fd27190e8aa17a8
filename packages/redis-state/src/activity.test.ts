import { randomUUID } from 'node:crypto';
import { createRedis, type RedisClient } from '@seckill/platform';
import { testServices, waitFor } from '@seckill/platform/testing';
import { createActivityRecorder } from './activity-recorder';
import { redisKeys } from './keys';
import { createRedisState, type RedisState } from './redis-state';

describe('sale activity (real Redis)', () => {
  let redis: RedisClient;
  let state: RedisState;
  const saleId = randomUUID();

  beforeAll(() => {
    redis = createRedis(testServices.redisUrl);
    state = createRedisState({ redis });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${redisKeys.saleTag(saleId)}*`);
    await Promise.all(keys.map((key) => redis.del(key)));
    await redis.quit();
  });

  it('adds counts to each second and to the totals, and reads a range of seconds back', async () => {
    await state.recordSaleActivity(saleId, 100, { admitted: 2, 'refused:SOLD_OUT': 1 });
    await state.recordSaleActivity(saleId, 100, { admitted: 1 });
    await state.recordSaleActivity(saleId, 102, { ordered: 3 });
    const activity = await state.readSaleActivity(saleId, 99, 102);
    expect(activity.perSecond).toEqual([
      { second: 99, counts: {} },
      { second: 100, counts: { admitted: 3, 'refused:SOLD_OUT': 1 } },
      { second: 101, counts: {} },
      { second: 102, counts: { ordered: 3 } },
    ]);
    expect(activity.totals).toEqual({ admitted: 3, 'refused:SOLD_OUT': 1, ordered: 3 });
    expect(await redis.ttl(redisKeys.saleActivity(saleId, 100))).toBeGreaterThan(0);
  });

  it('the recorder batches counts per sale and second, and writes them on its interval', async () => {
    let now = 200_500;
    const recorder = createActivityRecorder({ record: state.recordSaleActivity, intervalMs: 20, clock: () => now });
    recorder.count(saleId, 'delivered');
    recorder.count(saleId, 'delivered', 4);
    now = 201_000;
    recorder.count(saleId, 'delivered');
    await waitFor(async () => ((await state.readSaleActivity(saleId, 200, 201)).perSecond[1]!.counts.delivered === 1 ? true : undefined));
    await recorder.stop();
    expect((await state.readSaleActivity(saleId, 200, 200)).perSecond[0]!.counts).toEqual({ delivered: 5 });
  });

  it('lists the processes that reported recently', async () => {
    const node = `test-node-${randomUUID()}`;
    await state.reportPushNode(node, 12, 1_000);
    expect(await state.listPushNodes(1_500, 1_000)).toContainEqual({ id: node, value: 12, updatedAt: 1_000 });
    expect((await state.listPushNodes(5_000, 1_000)).map((report) => report.id)).not.toContain(node);
    await state.removePushNode(node);
  });
});
