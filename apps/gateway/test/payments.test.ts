import { randomUUID } from 'node:crypto';
import { formatTicketId, userTicketSubject, type OrderEvent, type OrderView } from '@seckill/contracts';
import { connectNats } from '@seckill/platform';
import { testServices, uniqueName, waitFor } from '@seckill/platform/testing';
import type { PaymentProvider } from '../src/domain/payments';
import { startGateway, type GatewayHarness } from './gateway-harness';

describe('POST /api/orders/:orderId/pay', () => {
  let gateway: GatewayHarness;
  let declineNext = false;
  const charges: Array<{ orderId: string; idempotencyKey?: string }> = [];
  let duringCharge: (() => Promise<void>) | undefined;
  const provider: PaymentProvider = {
    async charge(request) {
      charges.push(request as { orderId: string; idempotencyKey?: string });
      await duringCharge?.();
      // A real provider takes a moment: two clicks overlap.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const { orderId } = request;
      if (declineNext) {
        declineNext = false;
        return { approved: false, reason: 'card refused' };
      }
      return { approved: true, reference: `test-${orderId}` };
    },
  };
  beforeAll(async () => {
    gateway = await startGateway({}, { paymentProvider: provider });
  });
  afterAll(async () => {
    await gateway.close();
  });

  let ticketNumber = 0;
  async function order(userId: string, patch: { status?: 'PENDING_PAYMENT' | 'PAID' | 'EXPIRED'; expiresAt?: Date } = {}) {
    const sale = await gateway.createSale();
    ticketNumber += 1;
    return gateway.app.prisma.order.create({
      data: {
        saleId: sale.id,
        userId,
        ticketId: formatTicketId(sale.id, ticketNumber),
        ticketNumber,
        status: patch.status ?? 'PENDING_PAYMENT',
        expiresAt: patch.expiresAt ?? new Date(Date.now() + 600_000),
      },
    });
  }
  const pay = (orderId: string, userId: string) =>
    gateway.app.inject({
      method: 'POST',
      url: `/api/orders/${orderId}/pay`,
      headers: { authorization: `Bearer ${gateway.userToken(userId)}` },
    });

  it("marks the owner's pending order PAID, and answers a repeat with the paid order", async () => {
    const userId = uniqueName('payer');
    const pending = await order(userId);
    const response = await pay(pending.id, userId);
    expect(response.statusCode).toBe(200);
    expect(response.json<OrderView>()).toMatchObject({ orderId: pending.id, status: 'PAID', paidAt: expect.any(String) });
    expect((await gateway.app.prisma.order.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe('PAID');

    const repeat = await pay(pending.id, userId);
    expect(repeat.statusCode).toBe(200);
    expect(repeat.json<OrderView>().status).toBe('PAID');
  });

  it('shows the owner their order with its payment deadline (GET /api/orders/:orderId), nobody else', async () => {
    const userId = uniqueName('viewer');
    const pending = await order(userId);
    const get = (asUser: string) =>
      gateway.app.inject({ url: `/api/orders/${pending.id}`, headers: { authorization: `Bearer ${gateway.userToken(asUser)}` } });
    const response = await get(userId);
    expect(response.statusCode).toBe(200);
    expect(response.json<OrderView>()).toMatchObject({ orderId: pending.id, status: 'PENDING_PAYMENT', expiresAt: expect.any(String) });
    expect((await get(uniqueName('peeker'))).statusCode).toBe(404);
  });

  it('answers 409 ORDER_NOT_PAYABLE for an expired order, by status or past its deadline', async () => {
    const userId = uniqueName('slow');
    for (const expired of [await order(userId, { status: 'EXPIRED' }), await order(userId, { expiresAt: new Date(Date.now() - 1000) })]) {
      const response = await pay(expired.id, userId);
      expect(response.statusCode).toBe(409);
      expect(response.json().error.code).toBe('ORDER_NOT_PAYABLE');
    }
  });

  it('answers 402 PAYMENT_DECLINED and leaves the order pending when the provider refuses', async () => {
    const userId = uniqueName('broke');
    const pending = await order(userId);
    declineNext = true;
    const response = await pay(pending.id, userId);
    expect(response.statusCode).toBe(402);
    expect(response.json().error.code).toBe('PAYMENT_DECLINED');
    expect((await gateway.app.prisma.order.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe('PENDING_PAYMENT');
  });

  it.each([
    ["someone else's order", true],
    ['an unknown order', false],
  ])('answers 404 ORDER_NOT_FOUND for %s', async (_name, exists) => {
    const orderId = exists ? (await order(uniqueName('owner'))).id : randomUUID();
    const response = await pay(orderId, uniqueName('thief'));
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('ORDER_NOT_FOUND');
  });

  it("charges once for two concurrent clicks, with the order id as the provider's idempotency key", async () => {
    const userId = uniqueName('double');
    const pending = await order(userId);
    const before = charges.length;
    const answers = await Promise.all([pay(pending.id, userId), pay(pending.id, userId)]);
    expect(answers.map((answer) => [answer.statusCode, answer.json<OrderView>().status])).toEqual([
      [200, 'PAID'],
      [200, 'PAID'],
    ]);
    expect(charges.slice(before)).toEqual([{ orderId: pending.id, userId, idempotencyKey: pending.id }]);
  });

  it('never charges an order its expiry took, and the expiry never takes an order being charged', async () => {
    const userId = uniqueName('late');
    const pending = await order(userId);
    // The worker's expiry sweep, exactly as it selects, runs while the provider charges.
    duringCharge = async () => {
      await gateway.app.prisma.$executeRaw`
        UPDATE orders SET status = 'EXPIRED' WHERE id = ${pending.id}::uuid AND status = 'PENDING_PAYMENT'
          AND (payment_started_at IS NULL OR payment_started_at < now() - interval '5 minutes')`;
    };
    try {
      const answer = await pay(pending.id, userId);
      expect([answer.statusCode, answer.json<OrderView>().status]).toEqual([200, 'PAID']);
    } finally {
      duringCharge = undefined;
    }
  });

  it("tells the shopper's push sessions that the order is PAID", async () => {
    const userId = uniqueName('pushed');
    const pending = await order(userId);
    const nats = await connectNats({ url: testServices.natsUrl, name: 'payments-test' });
    const events: OrderEvent[] = [];
    nats.subscribe(userTicketSubject(userId, gateway.config.NATS_SUBJECT_PREFIX), {
      callback: (_error, message) => void events.push(message.json<OrderEvent>()),
    });
    await nats.flush();
    try {
      await pay(pending.id, userId);
      const event = await waitFor(() => events.find((candidate) => candidate.status === 'PAID'), { what: 'the PAID event' });
      expect(event).toEqual({
        type: 'order',
        orderId: pending.id,
        ticketId: pending.ticketId,
        saleId: pending.saleId,
        status: 'PAID',
        at: expect.any(Number),
      });
    } finally {
      await nats.close();
    }
  });
});
