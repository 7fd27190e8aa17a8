import { parseConfig } from '@seckill/platform';
import { configSchema } from './config';

const minimal = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/seckill' };

describe('order-worker config', () => {
  it('fills defaults from the contracts and the conventions', () => {
    const config = parseConfig(configSchema, minimal);
    expect(config).toMatchObject({
      PORT: 3100,
      ORDERS_TOPIC: 'seckill.orders',
      ORDER_WORKER_GROUP: 'seckill.order-worker',
      WORKER_CRASH_AFTER_DB_COMMIT: false,
    });
  });

  it('names the bad variable', () => {
    expect(() => parseConfig(configSchema, { ...minimal, PAYMENT_WINDOW_MS: '-5' })).toThrow(/PAYMENT_WINDOW_MS/);
    expect(() => parseConfig(configSchema, {})).toThrow(/DATABASE_URL/);
  });
});
