import { Cluster, Redis } from 'ioredis';
import { createRedis, parseRedisTarget } from './redis';

describe('parseRedisTarget', () => {
  it('reads one server, or the seed nodes of a cluster', () => {
    expect(parseRedisTarget('redis://127.0.0.1:6379')).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379' });
    expect(parseRedisTarget('rediss://user:pw@redis.example:6380/2')).toMatchObject({ kind: 'single' });
    expect(parseRedisTarget('redis-cluster://10.0.0.1:7001, 10.0.0.2:7002')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7001 },
        { host: '10.0.0.2', port: 7002 },
      ],
    });
  });

  it.each(['', 'localhost:6379', 'http://x:1', 'redis-cluster://', 'redis-cluster://a', 'redis-cluster://a:99999'])(
    'refuses %p',
    (value) => {
      expect(parseRedisTarget(value)).toBeUndefined();
    },
  );
});

describe('createRedis', () => {
  it('gives a Cluster client for a cluster and a Redis client for one server, without connecting yet', async () => {
    const cluster = createRedis('redis-cluster://127.0.0.1:1,127.0.0.1:2', { name: 'probe' });
    const single = createRedis('redis://127.0.0.1:1');
    try {
      expect([cluster instanceof Cluster, single instanceof Redis]).toEqual([true, true]);
    } finally {
      cluster.disconnect();
      single.disconnect();
    }
  });
});
