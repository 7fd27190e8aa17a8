import { createRedis, type RedisClient } from '@seckill/platform';
import { testServices } from '@seckill/platform/testing';
import { redisKeys } from './keys';
import { createRedisState, type RedisState } from './redis-state';

/**
 * A real Redis and its RedisState for one describe block (tests only). Afterwards every key
 * `keysOf` names for each sale in `saleIds` is deleted, one key per command (the tests also run on
 * a Redis Cluster, where a command's keys must share a slot), and the sales leave the active set.
 */
export function redisStateSuite(
  keysOf: (redis: RedisClient, saleId: string) => string[] | Promise<string[]>,
  otherKeys: () => string[] = () => [],
) {
  const suite = { saleIds: [] as string[] } as { redis: RedisClient; state: RedisState; saleIds: string[] };
  beforeAll(() => {
    suite.redis = createRedis(testServices.redisUrl);
    suite.state = createRedisState({ redis: suite.redis });
  });
  afterAll(async () => {
    const keys = await Promise.all(suite.saleIds.map((saleId) => keysOf(suite.redis, saleId)));
    await Promise.all([...keys.flat(), ...otherKeys()].map((key) => suite.redis.del(key)));
    await Promise.all(suite.saleIds.map((saleId) => suite.redis.srem(redisKeys.activeSales(), saleId)));
    await suite.redis.quit();
  });
  return suite;
}
