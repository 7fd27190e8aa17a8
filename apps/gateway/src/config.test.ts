import { ConfigError, parseConfig } from '@seckill/platform';
import { gatewayConfigSchema } from './config';

const valid = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/seckill',
  AUTH_SECRET: 'x'.repeat(32),
  ADMIN_TOKEN: 'y'.repeat(16),
};

describe('gateway config', () => {
  it('applies generous defaults', () => {
    const config = parseConfig(gatewayConfigSchema, valid);
    expect(config).toMatchObject({ PORT: 3000, ORDERS_TOPIC: 'seckill.orders', BODY_LIMIT_BYTES: 16_384, ENQUEUE_DEADLINE_MS: 30_000 });
    expect(config.CORS_ORIGINS).toBeUndefined();
  });

  it('reads limits, where 0 disables, and the CORS origin list', () => {
    const config = parseConfig(gatewayConfigSchema, {
      ...valid,
      RATE_LIMIT_PER_USER_PER_MIN: '0',
      CORS_ORIGINS: 'https://shop.example, http://localhost:8080',
    });
    expect(config.RATE_LIMIT_PER_USER_PER_MIN).toBe(0);
    expect(config.CORS_ORIGINS).toEqual(['https://shop.example', 'http://localhost:8080']);
  });

  it('names each bad variable', () => {
    expect(() => parseConfig(gatewayConfigSchema, { ...valid, ADMIN_TOKEN: 'short', RATE_LIMIT_PER_IP_PER_MIN: '-1' })).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/ADMIN_TOKEN:[\s\S]*RATE_LIMIT_PER_IP_PER_MIN:|RATE_LIMIT_PER_IP_PER_MIN:[\s\S]*ADMIN_TOKEN:/),
      }),
    );
    expect(() => parseConfig(gatewayConfigSchema, {})).toThrow(ConfigError);
  });
});
