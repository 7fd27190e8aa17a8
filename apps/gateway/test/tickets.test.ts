import { formatTicketId, ticketEventSchema, userTicketSubject, type TicketReceipt, type TicketView } from '@seckill/contracts';
import { uniqueName, waitFor } from '@seckill/platform/testing';
import { gatewayForSuite } from './gateway-harness';
import { redisKeys, createRedisState } from '@seckill/redis-state';

describe('tickets API', () => {
  const gateway = gatewayForSuite();

  const as = (userId: string) => ({ authorization: `Bearer ${gateway.userToken(userId)}` });
  async function buy(saleId: string, userId: string): Promise<TicketReceipt> {
    const response = await gateway.app.inject({ method: 'POST', url: `/api/sales/${saleId}/orders`, headers: as(userId) });
    expect(response.statusCode).toBe(202);
    return response.json<TicketReceipt>();
  }

  describe('GET /api/tickets/:ticketId', () => {
    it('shows the owner their queued ticket with its position and estimated wait', async () => {
      const sale = await gateway.createSale({ stock: 5 });
      await buy(sale.id, uniqueName('first'));
      const userId = uniqueName('second');
      const receipt = await buy(sale.id, userId);

      const response = await gateway.app.inject({ method: 'GET', url: `/api/tickets/${receipt.ticketId}`, headers: as(userId) });
      expect(response.statusCode).toBe(200);
      expect(response.json<TicketView>()).toEqual({
        ticketId: receipt.ticketId,
        saleId: sale.id,
        ticketNumber: 2,
        status: 'QUEUED',
        position: 1,
        estimatedWaitMs: expect.any(Number),
      });
    });

    it('shows a final ticket with its order and without a position', async () => {
      const sale = await gateway.createSale({ stock: 5 });
      const userId = uniqueName('done');
      const receipt = await buy(sale.id, userId);
      await createRedisState({ redis: gateway.app.redis }).recordResults([
        { ticketId: receipt.ticketId, saleId: sale.id, userId, status: 'SUCCEEDED', orderId: 'order-1', at: Date.now(), stockEpoch: 1 },
      ]);
      const response = await gateway.app.inject({ method: 'GET', url: `/api/tickets/${receipt.ticketId}`, headers: as(userId) });
      expect(response.json()).toEqual({
        ticketId: receipt.ticketId,
        saleId: sale.id,
        ticketNumber: 1,
        status: 'SUCCEEDED',
        orderId: 'order-1',
      });

      // A repeat purchase now answers the decided ticket (200), not a new one.
      const repeat = await gateway.app.inject({ method: 'POST', url: `/api/sales/${sale.id}/orders`, headers: as(userId) });
      expect(repeat.statusCode).toBe(200);
      expect(repeat.json()).toEqual({
        ticketId: receipt.ticketId,
        saleId: sale.id,
        ticketNumber: 1,
        status: 'SUCCEEDED',
        orderId: 'order-1',
      });
    });

    it.each([
      ["someone else's ticket", true],
      ['a ticket that does not exist', false],
    ])('answers 404 TICKET_NOT_FOUND for %s', async (_name, exists) => {
      const sale = await gateway.createSale();
      const ticketId = exists ? (await buy(sale.id, uniqueName('owner'))).ticketId : formatTicketId(sale.id, 99);
      for (const method of ['GET', 'DELETE'] as const) {
        const response = await gateway.app.inject({ method, url: `/api/tickets/${ticketId}`, headers: as(uniqueName('snoop')) });
        expect(response.statusCode).toBe(404);
        expect(response.json().error.code).toBe('TICKET_NOT_FOUND');
      }
    });

    it('answers 404 TICKET_NOT_FOUND for a malformed ticket id', async () => {
      const response = await gateway.app.inject({ method: 'GET', url: '/api/tickets/garbage', headers: as('x') });
      expect(response.statusCode).toBe(404);
    });

    it('answers 401 without a user token', async () => {
      const response = await gateway.app.inject({ method: 'GET', url: '/api/tickets/a.1' });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('UNAUTHORIZED');
    });
  });

  describe('DELETE /api/tickets/:ticketId', () => {
    it('cancels a queued ticket, gives its token to a later buyer and tells push sessions', async () => {
      const sale = await gateway.createSale({ stock: 1 });
      const userId = uniqueName('leaver');
      const receipt = await buy(sale.id, userId);
      const late = await gateway.app.inject({ method: 'POST', url: `/api/sales/${sale.id}/orders`, headers: as(uniqueName('late')) });
      expect(late.statusCode).toBe(410);

      const events: unknown[] = [];
      const subscription = gateway.app.nats.subscribe(userTicketSubject(userId, gateway.config.NATS_SUBJECT_PREFIX), {
        callback: (_error, message) => {
          events.push(message.json());
        },
      });
      await gateway.app.nats.flush();

      const response = await gateway.app.inject({ method: 'DELETE', url: `/api/tickets/${receipt.ticketId}`, headers: as(userId) });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ ticketId: receipt.ticketId, saleId: sale.id, ticketNumber: 1, status: 'CANCELLED' });

      const event = await waitFor(() => events[0], { what: 'the CANCELLED ticket event' });
      expect(ticketEventSchema.parse(event)).toMatchObject({
        type: 'ticket',
        ticketId: receipt.ticketId,
        saleId: sale.id,
        status: 'CANCELLED',
      });
      subscription.unsubscribe();

      const redis = gateway.app.redis;
      // A push session that (re)connects later and missed the event finds it in its snapshot.
      expect(await createRedisState({ redis }).listUserTickets(userId)).toEqual([
        expect.objectContaining({ ticketId: receipt.ticketId, status: 'CANCELLED' }),
      ]);
      expect(await redis.get(redisKeys.stockTokens(sale.id))).toBe('1');
      expect(await redis.zcard(redisKeys.queuedTickets(sale.id))).toBe(0);
      expect((await createRedisState({ redis }).claimTickets([receipt.ticketId])).get(receipt.ticketId)).toBe('CANCELLED');

      // A later shopper gets the token back at once.
      const later = await buy(sale.id, uniqueName('later'));
      expect(later.ticketNumber).toBe(2);
      // The token is taken again: the sale is sold out for everyone, the one who cancelled included.
      const again = await gateway.app.inject({ method: 'POST', url: `/api/sales/${sale.id}/orders`, headers: as(userId) });
      expect(again.statusCode).toBe(410);
    });

    it('answers 409 TICKET_NOT_CANCELLABLE once cancelled, or once a worker claimed it', async () => {
      const sale = await gateway.createSale({ stock: 5 });
      const userId = uniqueName('twice');
      const receipt = await buy(sale.id, userId);
      expect(
        (await gateway.app.inject({ method: 'DELETE', url: `/api/tickets/${receipt.ticketId}`, headers: as(userId) })).statusCode,
      ).toBe(200);
      const again = await gateway.app.inject({ method: 'DELETE', url: `/api/tickets/${receipt.ticketId}`, headers: as(userId) });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe('TICKET_NOT_CANCELLABLE');

      const claimedBy = uniqueName('claimed');
      const claimed = await buy(sale.id, claimedBy);
      await createRedisState({ redis: gateway.app.redis }).claimTickets([claimed.ticketId]);
      const tooLate = await gateway.app.inject({ method: 'DELETE', url: `/api/tickets/${claimed.ticketId}`, headers: as(claimedBy) });
      expect(tooLate.statusCode).toBe(409);
      expect(tooLate.json().error.message).toMatch(/being processed/);
      expect(await gateway.app.redis.hget(redisKeys.ticket(sale.id, claimed.ticketId), 'status')).toBe('QUEUED');
    });

    it('lets the user who cancelled buy again', async () => {
      const sale = await gateway.createSale({ stock: 5 });
      const userId = uniqueName('again');
      const first = await buy(sale.id, userId);
      await gateway.app.inject({ method: 'DELETE', url: `/api/tickets/${first.ticketId}`, headers: as(userId) });
      const second = await buy(sale.id, userId);
      expect(second.ticketId).not.toBe(first.ticketId);
      expect(await gateway.app.redis.get(redisKeys.stockTokens(sale.id))).toBe('4');
    });
  });
});
