import { ConfigError, parseConfig } from '@seckill/platform';
import { configSchema } from './config';

const secret = 's'.repeat(32);

describe('push-gateway config', () => {
  it('defaults to port 3001, the seckill subject prefix and the documented limits', () => {
    expect(parseConfig(configSchema, { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/seckill', AUTH_SECRET: secret })).toMatchObject({
      PORT: 3001,
      NATS_SUBJECT_PREFIX: 'seckill',
      AUTH_TIMEOUT_MS: 5_000,
      HEARTBEAT_MS: 15_000,
      MAX_PAYLOAD_BYTES: 4_096,
      SLOW_CONSUMER_BYTES: 1_048_576,
      MAX_SESSIONS_PER_USER: 5,
      ALLOWED_ORIGINS: expect.arrayContaining(['http://localhost:8080']),
    });
  });

  it('splits ALLOWED_ORIGINS', () => {
    const config = parseConfig(configSchema, {
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/seckill',
      AUTH_SECRET: secret,
      ALLOWED_ORIGINS: 'https://shop.example, http://localhost:8080',
    });
    expect(config.ALLOWED_ORIGINS).toEqual(['https://shop.example', 'http://localhost:8080']);
  });

  it('names every bad variable', () => {
    const parse = () =>
      parseConfig(configSchema, {
        DATABASE_URL: 'postgresql://x',
        AUTH_SECRET: 'short',
        ALLOWED_ORIGINS: 'shop.example/path',
        NATS_SUBJECT_PREFIX: 'a.*',
        HEARTBEAT_MS: '0',
      });
    expect(parse).toThrow(ConfigError);
    for (const name of ['AUTH_SECRET', 'ALLOWED_ORIGINS', 'NATS_SUBJECT_PREFIX', 'HEARTBEAT_MS']) expect(parse).toThrow(`${name}:`);
  });

  it('wants the shutdown timeout to leave time after the drain', () => {
    const base = { DATABASE_URL: 'postgresql://x', AUTH_SECRET: 'a'.repeat(32) };
    expect(parseConfig(configSchema, base).SHUTDOWN_TIMEOUT_MS).toBe(5_000);
    expect(() => parseConfig(configSchema, { ...base, DRAIN_TIMEOUT_MS: '4500' })).toThrow('SHUTDOWN_TIMEOUT_MS:');
  });
});
