import { uniqueName } from '@seckill/platform/testing';
import { gatewayForSuite } from './gateway-harness';

const block = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // a drowned event loop
  }
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('load shedding', () => {
  const gateway = gatewayForSuite({ SHED_EVENT_LOOP_DELAY_MS: '30' });

  it('answers purchases 503 with Retry-After while the event loop lags, and keeps health answering', async () => {
    const sale = await gateway.createSale({ stock: 5 });
    const buy = () => gateway.buy(sale.id, uniqueName('crowd'));
    // A drowning process: the loop stalls 100 ms at a time, again and again.
    const drowning = setInterval(() => block(100), 1);
    await sleep(300);
    const shed = await buy();
    clearInterval(drowning);
    expect([shed.statusCode, shed.json().error.code, shed.headers['retry-after']]).toEqual([503, 'SERVICE_UNAVAILABLE', '1']);
    expect((await gateway.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    // Nothing was reserved, and once the loop breathes again purchases go through.
    expect(await gateway.app.redis.get(`{sale:${sale.id}}:stock`)).toBe('5');
    await sleep(1_500);
    expect((await buy()).statusCode).toBe(202);
  });
});
