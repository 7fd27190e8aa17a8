import type { OrderRequested, TicketFailureReason } from '@seckill/contracts';
import type { PrismaClient } from '@seckill/db';

/** What PostgreSQL decided for one ticket. */
export type OrderDecision =
  | { ticketId: string; outcome: 'ORDERED'; orderId: string; created: boolean }
  | { ticketId: string; outcome: 'FAILED'; reason: Extract<TicketFailureReason, 'SOLD_OUT' | 'ALREADY_ORDERED'> }
  | { ticketId: string; outcome: 'SALE_NOT_FOUND' };

export interface OrderWriter {
  /**
   * Write the orders of one batch in ONE transaction: lock the sales, insert at most the
   * remaining stock (lowest ticket numbers first; the unique keys turn a redelivery into a
   * no-op that returns the existing order), decrement the stock by what was inserted.
   * Returns one decision per distinct ticket id.
   */
  writeOrders(orders: readonly OrderRequested[]): Promise<Map<string, OrderDecision>>;
}

// Waiting for a hot sale's row lock is normal under load; Prisma's 2 s / 5 s defaults are too tight.
const transactionOptions = { maxWait: 10_000, timeout: 30_000 };

export function createOrderWriter(options: { prisma: PrismaClient; paymentWindowMs: number }): OrderWriter {
  const { prisma, paymentWindowMs } = options;

  type Transaction = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

  function insertOrders(tx: Transaction, tickets: readonly OrderRequested[]) {
    return tx.$queryRaw<{ orderId: string; ticketId: string }[]>`
      INSERT INTO orders (id, sale_id, user_id, ticket_id, ticket_number, status, created_at, updated_at, expires_at)
      SELECT gen_random_uuid(), c.sale_id, c.user_id, c.ticket_id, c.ticket_number, 'PENDING_PAYMENT', now(), now(),
             now() + make_interval(secs => ${paymentWindowMs / 1000}::float8)
      FROM unnest(${tickets.map((t) => t.saleId)}::uuid[], ${tickets.map((t) => t.userId)}::text[],
                  ${tickets.map((t) => t.ticketId)}::text[], ${tickets.map((t) => t.ticketNumber)}::int[])
           AS c(sale_id, user_id, ticket_id, ticket_number)
      ON CONFLICT DO NOTHING
      RETURNING id::text AS "orderId", ticket_id AS "ticketId"`;
  }

  /** Tickets whose order may already exist get it back (same result as the first time); the rest fail. */
  async function resolveExisting(
    tx: Transaction,
    decisions: Map<string, OrderDecision>,
    tickets: readonly OrderRequested[],
    otherwise: 'SOLD_OUT' | 'ALREADY_ORDERED',
  ) {
    if (tickets.length === 0) return;
    const existing = await tx.$queryRaw<{ orderId: string; ticketId: string }[]>`
      SELECT id::text AS "orderId", ticket_id AS "ticketId" FROM orders
      WHERE ticket_id = ANY(${tickets.map((t) => t.ticketId)}::text[])`;
    const orderIdByTicket = new Map(existing.map((row) => [row.ticketId, row.orderId]));
    for (const { ticketId } of tickets) {
      const orderId = orderIdByTicket.get(ticketId);
      decisions.set(ticketId, orderId ? { ticketId, outcome: 'ORDERED', orderId, created: false } : { ticketId, outcome: 'FAILED', reason: otherwise });
    }
  }

  return {
    async writeOrders(orders) {
      const decisions = new Map<string, OrderDecision>();
      if (orders.length === 0) return decisions;
      // A ticket produced twice (gateway retry) is one ticket.
      const byTicket = new Map<string, OrderRequested>();
      for (const order of orders) if (!byTicket.has(order.ticketId)) byTicket.set(order.ticketId, order);
      const tickets = [...byTicket.values()];
      const saleIds = [...new Set(tickets.map((t) => t.saleId))].sort();

      await prisma.$transaction(async (tx) => {
        // Sorted row locks: concurrent workers on the same sales serialise here and never deadlock.
        // Every later statement runs on a fresh READ COMMITTED snapshot, so it sees what the
        // previous lock holder committed.
        const sales = await tx.$queryRaw<{ id: string; stock: number }[]>`
          SELECT id::text AS id, stock FROM sales WHERE id = ANY(${saleIds}::uuid[]) ORDER BY id FOR UPDATE`;
        const stockBySale = new Map(sales.map((sale) => [sale.id, sale.stock]));

        // Per sale, fairest first: the lower ticket number came first.
        const candidatesBySale = new Map<string, OrderRequested[]>();
        for (const ticket of [...tickets].sort((a, b) => a.ticketNumber - b.ticketNumber)) {
          if (!stockBySale.has(ticket.saleId)) {
            decisions.set(ticket.ticketId, { ticketId: ticket.ticketId, outcome: 'SALE_NOT_FOUND' });
            continue;
          }
          const candidates = candidatesBySale.get(ticket.saleId);
          if (candidates) candidates.push(ticket);
          else candidatesBySale.set(ticket.saleId, [ticket]);
        }

        // Optimistic: insert up to the stock; a row that conflicts (a redelivery, or a second
        // ticket of the same buyer) is looked up, and its slot offered to the next candidate.
        const insertedPerSale = new Map<string, number>();
        const unserved: OrderRequested[] = [];
        for (const [saleId, candidates] of candidatesBySale) {
          let stock = stockBySale.get(saleId) ?? 0;
          let next = 0;
          while (next < candidates.length && stock > 0) {
            const attempt = candidates.slice(next, next + stock);
            next += attempt.length;
            const inserted = await insertOrders(tx, attempt);
            for (const row of inserted) {
              decisions.set(row.ticketId, { ticketId: row.ticketId, outcome: 'ORDERED', orderId: row.orderId, created: true });
            }
            stock -= inserted.length;
            insertedPerSale.set(saleId, (insertedPerSale.get(saleId) ?? 0) + inserted.length);
            if (inserted.length < attempt.length) {
              await resolveExisting(tx, decisions, attempt.filter((ticket) => !decisions.has(ticket.ticketId)), 'ALREADY_ORDERED');
            }
          }
          unserved.push(...candidates.slice(next));
        }
        // No stock left for these; a redelivered one may still own an order from its first delivery.
        await resolveExisting(tx, decisions, unserved, 'SOLD_OUT');

        if (insertedPerSale.size === 0) return;
        const decrementSaleIds = [...insertedPerSale.keys()];
        const updated = await tx.$executeRaw`
          UPDATE sales SET stock = sales.stock - c.n, updated_at = now()
          FROM unnest(${decrementSaleIds}::uuid[], ${decrementSaleIds.map((id) => insertedPerSale.get(id) ?? 0)}::int[]) AS c(id, n)
          WHERE sales.id = c.id AND sales.stock >= c.n`;
        // Belt and braces behind the lock: never commit a batch whose decrement did not fully apply.
        if (updated !== decrementSaleIds.length) throw new Error('stock decrement did not apply to every sale');
      }, transactionOptions);

      return decisions;
    },
  };
}

/**
 * Group commit: while one transaction is in flight, the batches of other partitions queue up
 * and go together in the next one. They would wait on the same hot sale's row lock anyway;
 * together they pay for one commit instead of one each.
 */
export function createCoalescingOrderWriter(inner: OrderWriter, options: { maxOrdersPerTransaction?: number } = {}): OrderWriter {
  // Bounded, so one transaction never holds a hot sale's row lock for long.
  const maxOrders = options.maxOrdersPerTransaction ?? 5_000;
  type Waiter = { orders: readonly OrderRequested[]; resolve: (decisions: Map<string, OrderDecision>) => void; reject: (error: unknown) => void };
  const waiting: Waiter[] = [];
  let writing = false;

  async function drain(): Promise<void> {
    writing = true;
    while (waiting.length > 0) {
      let taken = 0;
      let size = 0;
      while (taken < waiting.length && (taken === 0 || size + waiting[taken]!.orders.length <= maxOrders)) {
        size += waiting[taken]!.orders.length;
        taken += 1;
      }
      const group = waiting.splice(0, taken);
      try {
        const decisions = await inner.writeOrders(group.flatMap((waiter) => waiter.orders));
        for (const waiter of group) waiter.resolve(decisions);
      } catch (error) {
        for (const waiter of group) waiter.reject(error);
      }
    }
    writing = false;
  }

  return {
    writeOrders(orders) {
      if (orders.length === 0) return Promise.resolve(new Map());
      return new Promise((resolve, reject) => {
        waiting.push({ orders, resolve, reject });
        if (!writing) void drain();
      });
    },
  };
}
