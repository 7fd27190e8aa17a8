import { randomUUID } from 'node:crypto';
import { formatTicketId, type OrderView } from '@seckill/contracts';
import { uniqueName } from '@seckill/platform/testing';
import type { PaymentProvider } from '../src/domain/payments';
import { startGateway, type GatewayHarness } from './gateway-harness';

describe('POST /api/orders/:orderId/pay', () => {
  let gateway: GatewayHarness;
  let declineNext = false;
  const provider: PaymentProvider = {
    async charge({ orderId }) {
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

  it('marks the owner\'s pending order PAID, and answers a repeat with the paid order', async () => {
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
    ['someone else\'s order', true],
    ['an unknown order', false],
  ])('answers 404 ORDER_NOT_FOUND for %s', async (_name, exists) => {
    const orderId = exists ? (await order(uniqueName('owner'))).id : randomUUID();
    const response = await pay(orderId, uniqueName('thief'));
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('ORDER_NOT_FOUND');
  });
});
