import { type OrderRequested, type TicketReceipt } from '@seckill/contracts';
import { uniqueName } from '@seckill/platform/testing';
import { gatewayForSuite } from './gateway-harness';
import { redisKeys, createRedisState } from '@seckill/redis-state';

describe('a Kafka send that fails after the message got through', () => {
  const gateway = gatewayForSuite();

  it('leaves the ticket to the worker that claimed it: the shopper holds it and it ends SUCCEEDED', async () => {
    const sale = await gateway.createSale({ stock: 3 });
    const redis = gateway.app.redis;
    const store = createRedisState({ redis });
    const send = gateway.app.orderProducer.send.bind(gateway.app.orderProducer);
    let claimedTicketId: string | undefined;
    // The broker wrote the batch and a worker claimed it at once, but the acknowledgement was lost.
    gateway.app.orderProducer.send = async (order: OrderRequested) => {
      await send(order);
      await store.claimTickets([order.ticketId]);
      claimedTicketId = order.ticketId;
      throw new Error('request timed out');
    };
    const userId = uniqueName('ambiguous');
    const response = await gateway.buy(sale.id, userId);
    gateway.app.orderProducer.send = send;

    // The worker writes the order and records it.
    await store.recordResults([
      { ticketId: claimedTicketId!, saleId: sale.id, userId, status: 'SUCCEEDED', orderId: 'order-1', at: Date.now(), stockEpoch: 1 },
    ]);
    const stored = await store.getTicket(claimedTicketId!);
    expect({
      answer: response.statusCode,
      ticketId: response.json<TicketReceipt>().ticketId,
      stored: stored?.status,
      orderId: stored?.orderId,
      // One token taken for the one order: Redis agrees with what PostgreSQL will hold.
      tokens: await redis.get(redisKeys.stockTokens(sale.id)),
    }).toEqual({ answer: 202, ticketId: claimedTicketId, stored: 'SUCCEEDED', orderId: 'order-1', tokens: '2' });
  });
});
