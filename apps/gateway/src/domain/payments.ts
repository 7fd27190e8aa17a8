import { SeckillError, type OrderView } from '@seckill/contracts';
import type { Order, PrismaClient } from '@seckill/db';
import type { Clock } from './clock';

/** The payment service boundary; a real provider (card, wallet) would implement it. */
export interface PaymentProvider {
  charge(request: { orderId: string; userId: string }): Promise<{ approved: true; reference: string } | { approved: false; reason: string }>;
}

/** Approves every charge: the demo has no real payment provider. */
export function createFakePaymentProvider(): PaymentProvider {
  return {
    async charge({ orderId }) {
      return { approved: true, reference: `fake-${orderId}` };
    },
  };
}

export function orderView(order: Order): OrderView {
  return {
    orderId: order.id,
    saleId: order.saleId,
    ticketId: order.ticketId,
    status: order.status,
    ...(order.paidAt ? { paidAt: order.paidAt.toISOString() } : {}),
    ...(order.expiresAt ? { expiresAt: order.expiresAt.toISOString() } : {}),
  };
}

export interface Payments {
  /** Pay the user's own PENDING_PAYMENT order; paying a PAID order again answers it as it is. */
  pay(orderId: string, userId: string): Promise<OrderView>;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createPayments(options: { prisma: PrismaClient; provider: PaymentProvider; clock: Clock }): Payments {
  const { prisma, provider, clock } = options;

  async function findOwn(orderId: string, userId: string): Promise<Order> {
    const order = UUID_PATTERN.test(orderId) ? await prisma.order.findUnique({ where: { id: orderId } }) : null;
    if (!order || order.userId !== userId) throw new SeckillError('ORDER_NOT_FOUND', `No order ${orderId}`);
    return order;
  }

  function notPayable(order: Order): SeckillError {
    return new SeckillError('ORDER_NOT_PAYABLE', `Order ${order.id} is ${order.status} and cannot be paid`);
  }

  return {
    async pay(orderId, userId) {
      const order = await findOwn(orderId, userId);
      if (order.status === 'PAID') return orderView(order);
      if (order.status !== 'PENDING_PAYMENT') throw notPayable(order);
      if (order.expiresAt && order.expiresAt.getTime() <= clock()) {
        throw new SeckillError('ORDER_NOT_PAYABLE', `Order ${order.id} is past its payment deadline`);
      }
      const charge = await provider.charge({ orderId, userId });
      if (!charge.approved) throw new SeckillError('PAYMENT_DECLINED', `Payment declined: ${charge.reason}`);
      // Conditional update: an expiry sweep that got there first wins and the payment is refused.
      const paid = await prisma.order.updateMany({
        where: { id: orderId, status: 'PENDING_PAYMENT' },
        data: { status: 'PAID', paidAt: new Date(clock()) },
      });
      const current = await findOwn(orderId, userId);
      if (paid.count === 0 && current.status !== 'PAID') throw notPayable(current);
      return orderView(current);
    },
  };
}
