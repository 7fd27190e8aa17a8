import type { TicketReceipt } from '@seckill/contracts';
import { uniqueName } from '@seckill/platform/testing';
import { gatewayForSuite } from './gateway-harness';

describe('a shopper who holds a ticket', () => {
  const gateway = gatewayForSuite();

  it('gets their own ticket back after the sale sold out, never SOLD_OUT', async () => {
    const sale = await gateway.createSale({ stock: 1 });
    const holder = uniqueName('holder');
    const first = await gateway.buy(sale.id, holder);
    expect(first.statusCode).toBe(202);
    expect((await gateway.buy(sale.id, uniqueName('late'))).statusCode).toBe(410);

    // Their first answer was lost (a dead gateway, a flaky network): they press again.
    const again = await gateway.buy(sale.id, holder);
    expect([again.statusCode, again.json<TicketReceipt>().ticketId]).toEqual([202, first.json<TicketReceipt>().ticketId]);
  });

  it('gets their own ticket back when the queue is full', async () => {
    const sale = await gateway.createSale({ stock: 5, queueCapacity: 1 });
    const holder = uniqueName('holder');
    const first = await gateway.buy(sale.id, holder);
    expect((await gateway.buy(sale.id, uniqueName('crowded'))).statusCode).toBe(429);
    const again = await gateway.buy(sale.id, holder);
    expect([again.statusCode, again.json<TicketReceipt>().ticketId]).toEqual([202, first.json<TicketReceipt>().ticketId]);
  });
});
