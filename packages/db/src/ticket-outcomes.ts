import type { PrismaClient } from './generated/prisma/client';

/** A ticket's final state as PostgreSQL knows it: an order row, or a closed ticket. */
export interface TicketOutcome {
  ticketId: string;
  saleId: string;
  userId: string;
  ticketNumber: number;
  status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  orderId?: string;
  reason?: string;
  /** Epoch ms of the decision. */
  decidedAt: number;
}

export interface ClosedTicketInput {
  ticketId: string;
  saleId: string;
  userId: string;
  ticketNumber: number;
  status: 'FAILED' | 'CANCELLED';
  reason?: string | undefined;
}

type Queryable = Pick<PrismaClient, 'order' | 'closedTicket'>;

function fromOrder(order: {
  id: string;
  ticketId: string;
  saleId: string;
  userId: string;
  ticketNumber: number;
  createdAt: Date;
}): TicketOutcome {
  const { id, createdAt, ...ticket } = order;
  return { ...ticket, status: 'SUCCEEDED', orderId: id, decidedAt: createdAt.getTime() };
}

function fromClosed(closed: {
  ticketId: string;
  saleId: string;
  userId: string;
  ticketNumber: number;
  status: 'FAILED' | 'CANCELLED';
  reason: string | null;
  closedAt: Date;
}): TicketOutcome {
  const { reason, closedAt, ...ticket } = closed;
  return { ...ticket, ...(reason ? { reason } : {}), decidedAt: closedAt.getTime() };
}

const orderFields = { id: true, ticketId: true, saleId: true, userId: true, ticketNumber: true, createdAt: true } as const;

/** The final state of one ticket, or undefined while PostgreSQL has none (queued, or unknown). */
export async function findTicketOutcome(prisma: Queryable, ticketId: string): Promise<TicketOutcome | undefined> {
  const [order, closed] = await Promise.all([
    prisma.order.findUnique({ where: { ticketId }, select: orderFields }),
    prisma.closedTicket.findUnique({ where: { ticketId } }),
  ]);
  if (order) return fromOrder(order);
  return closed ? fromClosed(closed) : undefined;
}

/** Every final ticket of one user decided since `since`, newest first. */
export async function listTicketOutcomesOfUser(prisma: Queryable, userId: string, since: Date): Promise<TicketOutcome[]> {
  const [orders, closed] = await Promise.all([
    prisma.order.findMany({ where: { userId, createdAt: { gte: since } }, select: orderFields }),
    prisma.closedTicket.findMany({ where: { userId, closedAt: { gte: since } } }),
  ]);
  return [...orders.map(fromOrder), ...closed.map(fromClosed)].sort((a, b) => b.decidedAt - a.decidedAt);
}

/**
 * The final tickets of a sale that their buyers still hold: every order, and the failures that
 * keep the hold (not cancels, nor QUEUE_UNAVAILABLE, after which the buyer may try again).
 */
export async function listHeldOutcomesOfSale(prisma: Queryable, saleId: string): Promise<TicketOutcome[]> {
  const [orders, closed] = await Promise.all([
    prisma.order.findMany({ where: { saleId }, select: orderFields }),
    prisma.closedTicket.findMany({ where: { saleId, status: 'FAILED', NOT: { reason: 'QUEUE_UNAVAILABLE' } } }),
  ]);
  return [...orders.map(fromOrder), ...closed.map(fromClosed)];
}

/** Record tickets that ended without an order; a ticket closed before keeps its first record. */
export async function recordClosedTickets(
  prisma: Pick<PrismaClient, 'closedTicket'>,
  tickets: readonly ClosedTicketInput[],
): Promise<void> {
  if (tickets.length === 0) return;
  await prisma.closedTicket.createMany({
    data: tickets.map(({ ticketId, saleId, userId, ticketNumber, status, reason }) => ({
      ticketId,
      saleId,
      userId,
      ticketNumber,
      status,
      ...(reason ? { reason } : {}),
    })),
    skipDuplicates: true,
  });
}
