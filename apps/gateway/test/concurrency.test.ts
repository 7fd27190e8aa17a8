import { type TicketReceipt } from '@seckill/contracts';
import { uniqueName } from '@seckill/platform/testing';
import { gatewayForSuite } from './gateway-harness';
import { redisKeys } from '@seckill/redis-state';

describe('admission under a crowd', () => {
  // This checks what the crowd gets, not how fast: a loaded machine must not turn answers into 503s.
  const gateway = gatewayForSuite({ ADMISSION_TIMEOUT_MS: '10000' });

  it('never issues more tickets than stock nor two tickets to one user, with one Kafka message per ticket', async () => {
    const stock = 500;
    const sale = await gateway.createSale({ stock, queueCapacity: stock });
    const prefix = uniqueName('crowd');
    // 3000 requests: 2000 distinct users, 1000 of them clicking twice.
    const users = Array.from({ length: 2000 }, (_, index) => `${prefix}-${index}`);
    const requests = [...users, ...users.slice(0, 1000)].map((userId) => ({
      userId,
      authorization: `Bearer ${gateway.userToken(userId)}`,
    }));

    const responses = await Promise.all(
      requests.map(async ({ userId, authorization }) => {
        const response = await gateway.app.inject({
          method: 'POST',
          url: `/api/sales/${sale.id}/orders`,
          headers: { authorization },
        });
        return { userId, status: response.statusCode, body: response.json() };
      }),
    );

    const statuses = new Set(responses.map((response) => response.status));
    expect([...statuses].sort()).toEqual([202, 410]);
    const ticketsByUser = new Map<string, Set<string>>();
    for (const { userId, status, body } of responses) {
      if (status !== 202) continue;
      const tickets = ticketsByUser.get(userId) ?? new Set<string>();
      tickets.add((body as TicketReceipt).ticketId);
      ticketsByUser.set(userId, tickets);
    }
    const ticketIds = [...ticketsByUser.values()].flatMap((tickets) => [...tickets]);
    expect(ticketIds).toHaveLength(stock); // demand exceeded stock: sold out exactly
    for (const tickets of ticketsByUser.values()) expect(tickets.size).toBe(1);
    expect(new Set(ticketIds).size).toBe(stock);

    expect(await gateway.app.redis.get(redisKeys.stockTokens(sale.id))).toBe('0');
    expect(await gateway.app.redis.zcard(redisKeys.queuedTickets(sale.id))).toBe(stock);

    expect(await gateway.countMessages()).toBe(stock);
    const orders = await gateway.readOrders(stock);
    const saleOrders = orders.filter((order) => order.saleId === sale.id);
    expect(saleOrders).toHaveLength(stock);
    expect(new Set(saleOrders.map((order) => order.ticketId))).toEqual(new Set(ticketIds));
    expect(new Set(saleOrders.map((order) => order.userId)).size).toBe(stock);
  });
});
