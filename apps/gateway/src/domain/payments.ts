import { SeckillError, userTicketSubject, type OrderEvent, type OrderView } from '@seckill/contracts';
import { PAYMENT_CLAIM_TIMEOUT_SECONDS, type Order, type PrismaClient } from '@seckill/db';
import type { Clock } from './clock';

/** The payment service boundary; a real provider (card, wallet) would implement it. */
export interface PaymentProvider {
  /** `idempotencyKey` (the order id): a charge repeated with the same key is charged once. */
  charge(request: {
    orderId: string;
    userId: string;
    idempotencyKey: string;
  }): Promise<{ approved: true; reference: string } | { approved: false; reason: string }>;
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
  /** The user's own order (someone else's is not found). */
  view(orderId: string, userId: string): Promise<OrderView>;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How long a second click waits for the payment a first one is making. */
const CONCURRENT_PAYMENT_WAIT_MS = 5_000;

/**
 * Claim first, then charge: the order is claimed in PostgreSQL (a conditional update that also
 * checks the deadline, so nothing is charged once the order expired), the provider is charged
 * with the order id as its idempotency key, and the order becomes PAID. A second click finds the
 * claim and waits for the first one's outcome; the expiry sweep leaves a claimed order alone.
 */
export function createPayments(options: {
  prisma: PrismaClient;
  provider: PaymentProvider;
  clock: Clock;
  publishOrderEvent?: (subject: string, event: OrderEvent) => void;
  subjectPrefix?: string;
}): Payments {
  const { prisma, provider, clock } = options;

  async function findOwn(orderId: string, userId: string): Promise<Order> {
    const order = UUID_PATTERN.test(orderId) ? await prisma.order.findUnique({ where: { id: orderId } }) : null;
    if (!order || order.userId !== userId) throw new SeckillError('ORDER_NOT_FOUND', `No order ${orderId}`);
    return order;
  }

  function notPayable(order: Order): SeckillError {
    const why = order.status === 'PENDING_PAYMENT' ? 'is past its payment deadline' : `is ${order.status}`;
    return new SeckillError('ORDER_NOT_PAYABLE', `Order ${order.id} ${why} and cannot be paid`);
  }

  /** Take the order for this payment; false when it is not payable or another payment holds it. */
  async function claim(orderId: string): Promise<boolean> {
    const claimed = await prisma.$executeRaw`
      UPDATE orders SET payment_started_at = now(), updated_at = now()
      WHERE id = ${orderId}::uuid AND status = 'PENDING_PAYMENT' AND expires_at > now()
        AND (payment_started_at IS NULL OR payment_started_at < now() - make_interval(secs => ${PAYMENT_CLAIM_TIMEOUT_SECONDS}))`;
    return claimed === 1;
  }

  /** Another click holds the claim: its outcome, once it is there (bounded). */
  async function awaitOtherPayment(orderId: string, userId: string): Promise<OrderView> {
    const deadline = clock() + CONCURRENT_PAYMENT_WAIT_MS;
    for (;;) {
      const order = await findOwn(orderId, userId);
      if (order.status === 'PAID') return orderView(order);
      const claimed = order.status === 'PENDING_PAYMENT' && order.paymentStartedAt !== null;
      if (!claimed) throw notPayable(order);
      if (clock() > deadline)
        throw new SeckillError('PAYMENT_IN_PROGRESS', `A payment of order ${orderId} is in progress; check again shortly`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  function announcePaid(order: Order): void {
    if (!options.publishOrderEvent) return;
    const event: OrderEvent = {
      type: 'order',
      orderId: order.id,
      ticketId: order.ticketId,
      saleId: order.saleId,
      status: 'PAID',
      at: clock(),
    };
    try {
      options.publishOrderEvent(userTicketSubject(order.userId, options.subjectPrefix), event);
    } catch {
      // The order is paid; polling and the next snapshot show it.
    }
  }

  return {
    view: async (orderId, userId) => orderView(await findOwn(orderId, userId)),

    async pay(orderId, userId) {
      const order = await findOwn(orderId, userId);
      if (order.status === 'PAID') return orderView(order);
      if (order.status !== 'PENDING_PAYMENT') throw notPayable(order);
      if (!(await claim(orderId))) return awaitOtherPayment(orderId, userId);

      let charge: Awaited<ReturnType<PaymentProvider['charge']>>;
      try {
        charge = await provider.charge({ orderId, userId, idempotencyKey: orderId });
      } catch (error) {
        // Unknown outcome: the claim stays; a retry after it lapses charges again under the same key.
        throw new SeckillError('SERVICE_UNAVAILABLE', 'The payment provider did not answer; try again shortly', {
          retryAfterSeconds: 5,
          cause: error,
        });
      }
      if (!charge.approved) {
        await prisma.order.updateMany({ where: { id: orderId, status: 'PENDING_PAYMENT' }, data: { paymentStartedAt: null } });
        throw new SeckillError('PAYMENT_DECLINED', `Payment declined: ${charge.reason}`);
      }
      await prisma.order.updateMany({
        where: { id: orderId, status: 'PENDING_PAYMENT' },
        data: { status: 'PAID', paidAt: new Date(clock()) },
      });
      const paid = await findOwn(orderId, userId);
      if (paid.status !== 'PAID') throw notPayable(paid);
      announcePaid(paid);
      return orderView(paid);
    },
  };
}
