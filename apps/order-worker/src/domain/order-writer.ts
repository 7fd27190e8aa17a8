import type { OrderRequested, TicketFailureReason } from '@seckill/contracts';
import type { PrismaClient } from '@seckill/db';

/** Why this writer fails a ticket. */
const WRITER_FAILURES = ['SOLD_OUT', 'ALREADY_ORDERED', 'SALE_NOT_FOUND', 'REJECTED'] as const satisfies readonly TicketFailureReason[];

/** What PostgreSQL decided for one ticket. */
export type OrderDecision =
  /** `stockEpoch`: the sale's ticket epoch when the order took its stock (see record-results.lua). */
  | { ticketId: string; outcome: 'ORDERED'; orderId: string; created: boolean; stockEpoch: number }
  | { ticketId: string; outcome: 'FAILED'; reason: (typeof WRITER_FAILURES)[number] }
  /** PostgreSQL already closed this ticket (cancelled, never enqueued, failed): its message must not become an order. */
  | { ticketId: string; outcome: 'CLOSED'; status: 'FAILED' | 'CANCELLED'; reason?: string };

/** A ticket whose message the worker could not read (dead-lettered) but that names a real ticket. */
export type RejectedTicket = Pick<OrderRequested, 'ticketId' | 'ticketNumber' | 'saleId' | 'userId'>;

export interface OrderWriter {
  /**
   * Write the orders of one batch in ONE transaction: lock the sales, skip the tickets
   * PostgreSQL already closed, insert at most the remaining stock (lowest ticket numbers first;
   * the unique keys turn a redelivery into a no-op that returns the existing order), decrement
   * the stock by what was inserted, and close every ticket that failed (so PostgreSQL knows each
   * final state should Redis lose it). `rejected` tickets fail REJECTED unless already ordered.
   * `unknownToRedis` names the tickets Redis had no record of: only they can have been closed
   * without Redis knowing (a cancel before a Redis loss), so only they are looked up.
   * Returns one decision per distinct ticket id.
   */
  writeOrders(
    orders: readonly OrderRequested[],
    rejected?: readonly RejectedTicket[],
    unknownToRedis?: ReadonlySet<string>,
  ): Promise<Map<string, OrderDecision>>;
}

// Waiting for a hot sale's row lock is normal under load; Prisma's 2 s / 5 s defaults are too tight.
const transactionOptions = { maxWait: 10_000, timeout: 30_000 };

type Transaction = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
type OrderRow = { orderId: string; ticketId: string; stockEpoch: number };

export function createOrderWriter(options: { prisma: PrismaClient; paymentWindowMs: number }): OrderWriter {
  const { prisma, paymentWindowMs } = options;

  function insertOrders(tx: Transaction, tickets: readonly OrderRequested[], stockEpoch: number) {
    return tx.$queryRaw<OrderRow[]>`
      INSERT INTO orders (id, sale_id, user_id, ticket_id, ticket_number, status, created_at, updated_at, expires_at, stock_epoch)
      SELECT gen_random_uuid(), c.sale_id, c.user_id, c.ticket_id, c.ticket_number, 'PENDING_PAYMENT', now(), now(),
             now() + make_interval(secs => ${paymentWindowMs / 1000}::float8), ${stockEpoch}::int
      FROM unnest(${tickets.map((t) => t.saleId)}::uuid[], ${tickets.map((t) => t.userId)}::text[],
                  ${tickets.map((t) => t.ticketId)}::text[], ${tickets.map((t) => t.ticketNumber)}::int[])
           AS c(sale_id, user_id, ticket_id, ticket_number)
      ON CONFLICT DO NOTHING
      RETURNING id::text AS "orderId", ticket_id AS "ticketId", stock_epoch AS "stockEpoch"`;
  }

  async function existingOrders(tx: Transaction, ticketIds: readonly string[]): Promise<Map<string, OrderRow>> {
    if (ticketIds.length === 0) return new Map();
    const rows = await tx.$queryRaw<OrderRow[]>`
      SELECT id::text AS "orderId", ticket_id AS "ticketId", stock_epoch AS "stockEpoch" FROM orders WHERE ticket_id = ANY(${ticketIds}::text[])`;
    return new Map(rows.map((row) => [row.ticketId, row]));
  }

  /** Tickets whose order may already exist get it back (same result as the first time); the rest fail. */
  async function resolveExisting(
    tx: Transaction,
    decisions: Map<string, OrderDecision>,
    tickets: readonly { ticketId: string }[],
    otherwise: 'SOLD_OUT' | 'ALREADY_ORDERED' | 'REJECTED',
  ) {
    const existing = await existingOrders(
      tx,
      tickets.map((t) => t.ticketId),
    );
    for (const { ticketId } of tickets) {
      const order = existing.get(ticketId);
      decisions.set(
        ticketId,
        order
          ? { ticketId, outcome: 'ORDERED', orderId: order.orderId, created: false, stockEpoch: order.stockEpoch }
          : { ticketId, outcome: 'FAILED', reason: otherwise },
      );
    }
  }

  /** Tickets PostgreSQL closed before (their Redis record may be lost): decided already. */
  async function closedBefore(tx: Transaction, ticketIds: readonly string[], decisions: Map<string, OrderDecision>): Promise<void> {
    if (ticketIds.length === 0) return;
    const rows = await tx.$queryRaw<{ ticketId: string; status: 'FAILED' | 'CANCELLED'; reason: string | null }[]>`
      SELECT ticket_id AS "ticketId", status::text AS status, reason FROM closed_tickets WHERE ticket_id = ANY(${ticketIds}::text[])`;
    for (const { ticketId, status, reason } of rows) {
      // A redelivery of a ticket this writer failed gets the same decision as the first time.
      if (status === 'FAILED' && (WRITER_FAILURES as readonly (string | null)[]).includes(reason)) {
        decisions.set(ticketId, { ticketId, outcome: 'FAILED', reason: reason as (typeof WRITER_FAILURES)[number] });
      } else {
        decisions.set(ticketId, { ticketId, outcome: 'CLOSED', status, ...(reason ? { reason } : {}) });
      }
    }
  }

  async function closeFailed(
    tx: Transaction,
    decisions: Map<string, OrderDecision>,
    ticketsById: Map<string, RejectedTicket>,
  ): Promise<void> {
    const failed = [...decisions.values()].flatMap((decision) =>
      decision.outcome === 'FAILED' ? [{ decision, ticket: ticketsById.get(decision.ticketId)! }] : [],
    );
    if (failed.length === 0) return;
    await tx.$executeRaw`
      INSERT INTO closed_tickets (ticket_id, sale_id, user_id, ticket_number, status, reason, closed_at)
      SELECT c.ticket_id, c.sale_id, c.user_id, c.ticket_number, 'FAILED', c.reason, now()
      FROM unnest(${failed.map((f) => f.ticket.ticketId)}::text[], ${failed.map((f) => f.ticket.saleId)}::uuid[],
                  ${failed.map((f) => f.ticket.userId)}::text[], ${failed.map((f) => f.ticket.ticketNumber)}::int[],
                  ${failed.map((f) => (f.decision.outcome === 'FAILED' ? f.decision.reason : ''))}::text[])
           AS c(ticket_id, sale_id, user_id, ticket_number, reason)
      ON CONFLICT DO NOTHING`;
  }

  return {
    async writeOrders(orders, rejected = [], unknownToRedis) {
      const decisions = new Map<string, OrderDecision>();
      if (orders.length === 0 && rejected.length === 0) return decisions;
      // A ticket produced twice (gateway retry, outbox relay) is one ticket.
      const ticketsById = new Map<string, RejectedTicket>();
      const byTicket = new Map<string, OrderRequested>();
      for (const order of orders) if (!byTicket.has(order.ticketId)) byTicket.set(order.ticketId, order);
      for (const ticket of [...rejected, ...byTicket.values()]) ticketsById.set(ticket.ticketId, ticket);
      const saleIds = [...new Set([...byTicket.values()].map((t) => t.saleId))].sort();

      await prisma.$transaction(async (tx) => {
        // Sorted row locks: concurrent workers on the same sales serialise here and never deadlock.
        // Every later statement runs on a fresh READ COMMITTED snapshot, so it sees what the
        // previous lock holder committed.
        const sales = await tx.$queryRaw<{ id: string; stock: number; ticketEpoch: number }[]>`
          SELECT id::text AS id, stock, ticket_epoch AS "ticketEpoch" FROM sales WHERE id = ANY(${saleIds}::uuid[]) ORDER BY id FOR UPDATE`;
        const saleById = new Map(sales.map((sale) => [sale.id, sale]));
        await closedBefore(
          tx,
          [...ticketsById.keys()].filter((ticketId) => !unknownToRedis || unknownToRedis.has(ticketId)),
          decisions,
        );
        await resolveExisting(
          tx,
          decisions,
          rejected.filter((ticket) => !decisions.has(ticket.ticketId)),
          'REJECTED',
        );

        // Per sale, fairest first: the lower ticket number came first.
        const candidatesBySale = new Map<string, OrderRequested[]>();
        for (const ticket of [...byTicket.values()].sort((a, b) => a.ticketNumber - b.ticketNumber)) {
          if (decisions.has(ticket.ticketId)) continue;
          if (!saleById.has(ticket.saleId)) {
            decisions.set(ticket.ticketId, { ticketId: ticket.ticketId, outcome: 'FAILED', reason: 'SALE_NOT_FOUND' });
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
          const sale = saleById.get(saleId)!;
          let stock = sale.stock;
          let next = 0;
          while (next < candidates.length && stock > 0) {
            const attempt = candidates.slice(next, next + stock);
            next += attempt.length;
            const inserted = await insertOrders(tx, attempt, sale.ticketEpoch);
            for (const row of inserted) {
              decisions.set(row.ticketId, {
                ticketId: row.ticketId,
                outcome: 'ORDERED',
                orderId: row.orderId,
                created: true,
                stockEpoch: row.stockEpoch,
              });
            }
            stock -= inserted.length;
            insertedPerSale.set(saleId, (insertedPerSale.get(saleId) ?? 0) + inserted.length);
            if (inserted.length < attempt.length) {
              await resolveExisting(
                tx,
                decisions,
                attempt.filter((ticket) => !decisions.has(ticket.ticketId)),
                'ALREADY_ORDERED',
              );
            }
          }
          unserved.push(...candidates.slice(next));
        }
        // No stock left for these; a redelivered one may still own an order from its first delivery.
        await resolveExisting(tx, decisions, unserved, 'SOLD_OUT');
        await closeFailed(tx, decisions, ticketsById);

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
  type Waiter = {
    orders: readonly OrderRequested[];
    rejected: readonly RejectedTicket[];
    unknownToRedis: ReadonlySet<string> | undefined;
    resolve: (decisions: Map<string, OrderDecision>) => void;
    reject: (error: unknown) => void;
  };
  const waiting: Waiter[] = [];
  let writing = false;
  const size = (waiter: Waiter) => waiter.orders.length + waiter.rejected.length;

  async function drain(): Promise<void> {
    writing = true;
    while (waiting.length > 0) {
      let taken = 0;
      let total = 0;
      while (taken < waiting.length && (taken === 0 || total + size(waiting[taken]!) <= maxOrders)) {
        total += size(waiting[taken]!);
        taken += 1;
      }
      const group = waiting.splice(0, taken);
      try {
        const unknown = group.some((waiter) => waiter.unknownToRedis === undefined)
          ? undefined
          : new Set(group.flatMap((waiter) => [...waiter.unknownToRedis!]));
        const decisions = await inner.writeOrders(
          group.flatMap((waiter) => waiter.orders),
          group.flatMap((waiter) => waiter.rejected),
          unknown,
        );
        for (const waiter of group) waiter.resolve(decisions);
      } catch (error) {
        for (const waiter of group) waiter.reject(error);
      }
    }
    writing = false;
  }

  return {
    writeOrders(orders, rejected = [], unknownToRedis) {
      if (orders.length === 0 && rejected.length === 0) return Promise.resolve(new Map());
      return new Promise((resolve, reject) => {
        waiting.push({ orders, rejected, unknownToRedis, resolve, reject });
        if (!writing) void drain();
      });
    },
  };
}
