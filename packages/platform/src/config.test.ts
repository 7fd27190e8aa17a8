import { z } from 'zod';
import { ConfigError, env, parseConfig } from './config';

const schema = z.object({
  PORT: env.port(3000),
  AUTH_SECRET: env.authSecret,
  KAFKA_BROKERS: env.kafkaBrokers,
  DATABASE_URL: env.databaseUrl,
});
const secret = 'x'.repeat(32);

describe('parseConfig', () => {
  it('applies defaults and transforms', () => {
    const config = parseConfig(schema, { AUTH_SECRET: secret, DATABASE_URL: 'postgresql://db/seckill', KAFKA_BROKERS: 'a:1, b:2' });
    expect(config).toEqual({ PORT: 3000, AUTH_SECRET: secret, KAFKA_BROKERS: ['a:1', 'b:2'], DATABASE_URL: 'postgresql://db/seckill' });
  });

  it('names every invalid variable', () => {
    const parse = () => parseConfig(schema, { PORT: 'eighty', AUTH_SECRET: 'short', DATABASE_URL: 'mysql://x', KAFKA_BROKERS: 'nohost' });
    expect(parse).toThrow(ConfigError);
    try {
      parse();
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ['PORT', 'AUTH_SECRET', 'DATABASE_URL', 'KAFKA_BROKERS']) expect(message).toContain(`${name}:`);
    }
  });
});

describe('REDIS_URL and NATS_URL', () => {
  const connections = z.object({ REDIS_URL: env.redisUrl, NATS_URL: env.natsUrl });

  it('take one server or a cluster', () => {
    expect(parseConfig(connections, {})).toEqual({ REDIS_URL: 'redis://127.0.0.1:6379', NATS_URL: 'nats://127.0.0.1:4222' });
    const cluster = { REDIS_URL: 'redis-cluster://10.0.0.1:7001,10.0.0.2:7002', NATS_URL: 'nats://10.0.0.1:4222,nats://10.0.0.2:4222' };
    expect(parseConfig(connections, cluster)).toEqual(cluster);
  });

  it.each([
    ['REDIS_URL', 'http://redis:6379'],
    ['REDIS_URL', 'redis-cluster://10.0.0.1'],
    ['REDIS_URL', 'redis-cluster://'],
    ['NATS_URL', '127.0.0.1:4222'],
    ['NATS_URL', 'nats://a:1,,nats://b:2'],
  ])('refuse %s=%p, naming it', (name, value) => {
    expect(() => parseConfig(connections, { [name]: value })).toThrow(`${name}:`);
  });
});
