import { uniqueName, waitFor } from '@seckill/platform/testing';
import { gatewayForSuite } from './gateway-harness';
import { redisKeys } from '@seckill/redis-state';

describe('graceful shutdown', () => {
  // A linger far longer than the test: only the shutdown flush can send the batch.
  const gateway = gatewayForSuite({ KAFKA_LINGER_MS: '600000', KAFKA_PRODUCERS: '1' });

  it('flushes the pending Kafka batch and answers the waiting purchase before closing', async () => {
    const sale = await gateway.createSale({ stock: 3 });
    const purchase = gateway.buy(sale.id, uniqueName('last-one'));
    await waitFor(async () => ((await gateway.app.redis.zcard(redisKeys.queuedTickets(sale.id))) === 1 ? true : undefined), {
      what: 'the admission',
    });
    expect(await gateway.countMessages()).toBe(0);

    await gateway.closeApp();
    const response = await purchase;
    expect(response.statusCode).toBe(202);
    expect(await gateway.countMessages()).toBe(1);
  });
});
