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
