import type { TicketReceipt } from '@seckill/contracts';
import { uniqueName } from '@seckill/platform/testing';
import { startGateway, type GatewayHarness } from './gateway-harness';

describe('a shopper who holds a ticket', () => {
  let gateway: GatewayHarness;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(async () => {
    await gateway.close();
  });

  const buy = (saleId: string, userId: string) =>
    gateway.app.inject({
      method: 'POST',
      url: `/api/sales/${saleId}/orders`,
      headers: { authorization: `Bearer ${gateway.userToken(userId)}` },
    });

  it('gets their own ticket back after the sale sold out, never SOLD_OUT', async () => {
    const sale = await gateway.createSale({ stock: 1 });
    const holder = uniqueName('holder');
    const first = await buy(sale.id, holder);
    expect(first.statusCode).toBe(202);
    expect((await buy(sale.id, uniqueName('late'))).statusCode).toBe(410);

    // Their first answer was lost (a dead gateway, a flaky network): they press again.
    const again = await buy(sale.id, holder);
    expect([again.statusCode, again.json<TicketReceipt>().ticketId]).toEqual([202, first.json<TicketReceipt>().ticketId]);
  });

  it('gets their own ticket back when the queue is full', async () => {
    const sale = await gateway.createSale({ stock: 5, queueCapacity: 1 });
    const holder = uniqueName('holder');
    const first = await buy(sale.id, holder);
    expect((await buy(sale.id, uniqueName('crowded'))).statusCode).toBe(429);
    const again = await buy(sale.id, holder);
    expect([again.statusCode, again.json<TicketReceipt>().ticketId]).toEqual([202, first.json<TicketReceipt>().ticketId]);
  });
});
