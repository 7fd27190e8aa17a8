import { FINAL_TICKET_STATUSES, type TicketStatus } from '@seckill/contracts';

/** What PostgreSQL and Redis hold after the run, read directly (never the apps' own counters). */
export interface StoredState {
  sale: { id: string; initialStock: number; stock: number } | undefined;
  orders: Array<{ id: string; userId: string; ticketId: string; status: string }>;
  /** Stock tokens left in Redis; undefined when the key is missing or of a type we do not know. */
  redisStockTokens: number | undefined;
  /** Tickets still in the sale's Redis queue. */
  redisQueueDepth: number;
  /** Every accepted ticket's Redis hash (missing ones absent). */
  redisTickets: Map<string, { userId: string; status: string; orderId?: string; reason?: string }>;
}

/** What the shoppers saw, gathered by the load generator. */
export interface CrowdObservations {
  /** Every distinct ticket answered `202`, with the user it was given to. */
  accepted: Array<{ ticketId: string; userId: string }>;
  /** Users answered `202` more than once (double and triple clicks, retries) with different ticket ids. */
  clickMismatches: Array<{ userId: string; ticketIds: string[] }>;
  /** Distinct genuine users who tried to buy (valid token, well-formed request). */
  distinctBuyers: number;
  /** Push sessions (one SDK client each) and the ticket events each received over its sockets. */
  sessions: Array<{
    sessionId: string;
    userId: string;
    connectedAtEnd: boolean;
    events: Array<{ ticketId: string; status: string; orderId?: string }>;
  }>;
  /** Final state per ticket as read by polling `GET /api/tickets/:ticketId` after the run. */
  polled: Map<string, { status: string; orderId?: string } | { error: string }>;
  /** Requests that must be refused: malformed ones, bad tokens, clicks before the start; with the status each got. */
  hostileResponses: Array<{ kind: RefusedKind; status: number }>;
  /** Answers with status >= 500 (or none at all) to any purchase request. */
  serverErrors: Array<{ status: number; code?: string }>;
}

export type RefusedKind = 'malformed' | 'unknown-sale' | 'bad-token' | 'early';
/** The documented answer to each kind of request that must be refused. */
export const EXPECTED_REFUSAL: Record<RefusedKind, number> = { malformed: 400, 'unknown-sale': 404, 'bad-token': 401, early: 403 };

export type InvariantStatus = 'pass' | 'fail' | 'skip';

export interface InvariantResult {
  name: string;
  description: string;
  status: InvariantStatus;
  details: string;
  /** A few offending ids, for debugging. */
  examples?: string[];
}

const FINAL = new Set<string>(FINAL_TICKET_STATUSES);
/** Stands for the one violated condition of a single-condition check. */
const CONDITION = 'condition';
const LIVE = new Set<TicketStatus | string>(['QUEUED', 'SUCCEEDED']);

function result(name: string, description: string, failures: string[], okDetails: string, failDetails?: string): InvariantResult {
  return failures.length === 0
    ? { name, description, status: 'pass', details: okDetails }
    : {
        name,
        description,
        status: 'fail',
        details: failDetails ?? `${failures.length} violation(s)`,
        // A single-condition check says everything in its details.
        ...(failures.length === 1 && failures[0] === CONDITION ? {} : { examples: failures.slice(0, 10) }),
      };
}

/**
 * The architecture's invariants (shared/ARCHITECTURE.md) plus a few that follow from them,
 * checked against the stored state and what the shoppers saw. Pure: no I/O.
 */
export function checkInvariants(state: StoredState, crowd: CrowdObservations): InvariantResult[] {
  const results: InvariantResult[] = [];
  const { sale } = state;
  if (!sale) {
    return [{ name: 'sale-exists', description: 'The sale row exists in PostgreSQL', status: 'fail', details: 'no sale row' }];
  }
  const activeOrders = state.orders.filter((order) => order.status !== 'EXPIRED');
  const ordersByTicket = new Map(state.orders.map((order) => [order.ticketId, order]));
  const acceptedByTicket = new Map(crowd.accepted.map((ticket) => [ticket.ticketId, ticket]));

  // No oversell.
  {
    const failures: string[] = [];
    if (activeOrders.length > sale.initialStock) failures.push(`${activeOrders.length} orders for an initial stock of ${sale.initialStock}`);
    if (sale.stock < 0) failures.push(`PostgreSQL stock is ${sale.stock}`);
    if (state.redisStockTokens !== undefined && state.redisStockTokens < 0) failures.push(`Redis stock tokens are ${state.redisStockTokens}`);
    results.push(
      result('no-oversell', 'Orders never exceed the initial stock; stock never goes below zero', failures,
        `${activeOrders.length} orders ≤ initial stock ${sale.initialStock}; PostgreSQL stock ${sale.stock}; Redis tokens ${state.redisStockTokens ?? 'n/a'}`,
        failures.join('; ')),
    );
  }

  // Stock conservation: what is left plus what was sold is what there was.
  {
    const sum = sale.stock + activeOrders.length;
    results.push(
      result('stock-conserved', 'PostgreSQL remaining stock + live orders = initial stock', sum === sale.initialStock ? [] : [CONDITION],
        `${sale.stock} + ${activeOrders.length} = ${sale.initialStock}`,
        `${sale.stock} remaining + ${activeOrders.length} orders = ${sum}, not ${sale.initialStock}`),
    );
  }

  // Exact sell-out when demand exceeded stock (cancelled and failed tickets' stock resold).
  if (crowd.distinctBuyers >= sale.initialStock) {
    results.push(
      result('exact-sell-out', 'Demand exceeded stock, so the sale sells out exactly (cancelled stock resold)',
        activeOrders.length === sale.initialStock && sale.stock === 0 ? [] : [CONDITION],
        `${activeOrders.length} orders = initial stock ${sale.initialStock}, stock 0, for ${crowd.distinctBuyers} buyers`,
        `${activeOrders.length} orders and ${sale.stock} left of ${sale.initialStock}, although ${crowd.distinctBuyers} buyers wanted one`),
    );
  } else {
    results.push({
      name: 'exact-sell-out',
      description: 'Demand exceeded stock, so the sale sells out exactly (cancelled stock resold)',
      status: 'skip',
      details: `demand (${crowd.distinctBuyers} buyers) did not exceed the stock (${sale.initialStock})`,
    });
  }

  // At most one order, and one live ticket, per user.
  {
    const ordersPerUser = countBy(state.orders.map((order) => order.userId));
    const liveTicketsPerUser = countBy(
      [...state.redisTickets.values()].filter((ticket) => LIVE.has(ticket.status)).map((ticket) => ticket.userId),
    );
    const failures = [
      ...[...ordersPerUser].filter(([, n]) => n > 1).map(([userId, n]) => `${userId}: ${n} orders`),
      ...[...liveTicketsPerUser].filter(([, n]) => n > 1).map(([userId, n]) => `${userId}: ${n} live tickets`),
    ];
    results.push(
      result('one-order-per-user', 'At most one order (and one live ticket) per user', failures,
        `${ordersPerUser.size} users with one order each`),
    );
  }

  // Double and triple clicks get the same ticket back.
  results.push(
    result('repeat-clicks-same-ticket', 'A user clicking several times gets the same ticket every time',
      crowd.clickMismatches.map((m) => `${m.userId}: ${m.ticketIds.join(', ')}`),
      'every repeated click answered with the same ticket id'),
  );

  // Every 202 ticket reaches exactly one final state in Redis.
  {
    const failures: string[] = [];
    for (const { ticketId } of crowd.accepted) {
      const stored = state.redisTickets.get(ticketId);
      if (!stored) failures.push(`${ticketId}: missing in Redis`);
      else if (!FINAL.has(stored.status)) failures.push(`${ticketId}: ${stored.status} in Redis`);
    }
    if (state.redisQueueDepth !== 0) failures.push(`queue still holds ${state.redisQueueDepth} ticket(s)`);
    results.push(
      result('every-ticket-final', 'Every 202 ticket has a final state in Redis and the queue is empty', failures,
        `${crowd.accepted.length} accepted tickets, all final (${describeCounts(crowd.accepted.map((t) => state.redisTickets.get(t.ticketId)?.status ?? 'missing'))})`),
    );
  }

  // One final state: push, polling and Redis agree, and no ticket was seen with two final states.
  {
    const failures: string[] = [];
    const seenFinal = new Map<string, Set<string>>();
    for (const session of crowd.sessions) {
      for (const event of session.events) {
        if (!FINAL.has(event.status)) continue;
        let statuses = seenFinal.get(event.ticketId);
        if (!statuses) seenFinal.set(event.ticketId, (statuses = new Set()));
        statuses.add(event.status);
      }
    }
    for (const [ticketId, statuses] of seenFinal) {
      const stored = state.redisTickets.get(ticketId)?.status;
      if (statuses.size > 1) failures.push(`${ticketId}: pushed ${[...statuses].join(' and ')}`);
      else if (stored && !statuses.has(stored)) failures.push(`${ticketId}: pushed ${[...statuses][0]}, Redis says ${stored}`);
    }
    for (const [ticketId, polled] of crowd.polled) {
      const stored = state.redisTickets.get(ticketId)?.status;
      if ('error' in polled) failures.push(`${ticketId}: polling failed (${polled.error})`);
      else if (polled.status !== stored) failures.push(`${ticketId}: polled ${polled.status}, Redis says ${stored ?? 'nothing'}`);
    }
    results.push(
      result('single-final-state', 'Each ticket has exactly one final state: pushed, polled and stored agree', failures,
        `${seenFinal.size} pushed and ${crowd.polled.size} polled tickets agree with Redis`),
    );
  }

  // Orders and tickets describe the same purchases.
  {
    const failures: string[] = [];
    for (const [ticketId, stored] of state.redisTickets) {
      const order = ordersByTicket.get(ticketId);
      if (stored.status === 'SUCCEEDED') {
        if (!order) failures.push(`${ticketId}: SUCCEEDED without an order row`);
        else if (order.userId !== stored.userId) failures.push(`${ticketId}: order of ${order.userId}, ticket of ${stored.userId}`);
        else if (stored.orderId && stored.orderId !== order.id) failures.push(`${ticketId}: ticket names order ${stored.orderId}, row is ${order.id}`);
      } else if (order && FINAL.has(stored.status)) {
        failures.push(`${ticketId}: ${stored.status} but order ${order.id} exists`);
      }
    }
    for (const order of state.orders) {
      if (!acceptedByTicket.has(order.ticketId)) failures.push(`order ${order.id} (user ${order.userId}) has no accepted ticket`);
    }
    results.push(
      result('orders-match-tickets', 'Every SUCCEEDED ticket has its order row and every order row its accepted ticket', failures,
        `${state.orders.length} order rows match ${countBy([...state.redisTickets.values()].map((t) => t.status)).get('SUCCEEDED') ?? 0} SUCCEEDED tickets`),
    );
  }

  // Pushed to every connected session of the ticket's user.
  {
    const failures: string[] = [];
    const sessionsByUser = groupBy(crowd.sessions, (session) => session.userId);
    let deliveries = 0;
    for (const { ticketId, userId } of crowd.accepted) {
      const finalStatus = state.redisTickets.get(ticketId)?.status;
      for (const session of sessionsByUser.get(userId) ?? []) {
        if (!session.connectedAtEnd) continue;
        const got = session.events.some((event) => event.ticketId === ticketId && FINAL.has(event.status) && event.status === finalStatus);
        if (got) deliveries++;
        else failures.push(`${ticketId}: session ${session.sessionId} of ${userId} never received ${finalStatus ?? 'a final state'}`);
      }
    }
    const disconnected = crowd.sessions.filter((session) => !session.connectedAtEnd).length;
    results.push(
      result('pushed-to-every-session', 'Every connected session of a ticket\'s user received its final state', failures,
        `${deliveries} deliveries to connected sessions${disconnected ? ` (${disconnected} session(s) not connected at the end, not counted)` : ''}`),
    );
  }

  // Nobody receives someone else's ticket.
  {
    const failures: string[] = [];
    for (const session of crowd.sessions) {
      for (const event of session.events) {
        const owner = acceptedByTicket.get(event.ticketId)?.userId ?? state.redisTickets.get(event.ticketId)?.userId;
        if (owner !== undefined && owner !== session.userId) failures.push(`${session.sessionId} (${session.userId}) got ${event.ticketId} of ${owner}`);
      }
    }
    results.push(result('no-cross-user-delivery', 'No session ever receives another user\'s ticket', failures, 'every pushed event went to its owner'));
  }

  // Redis tokens and PostgreSQL stock agree at rest.
  if (state.redisStockTokens === undefined) {
    results.push({ name: 'redis-tokens-match-db', description: 'At rest, Redis stock tokens equal PostgreSQL remaining stock', status: 'skip', details: 'stock token key not readable' });
  } else {
    results.push(
      result('redis-tokens-match-db', 'At rest, Redis stock tokens equal PostgreSQL remaining stock',
        state.redisStockTokens === sale.stock ? [] : [CONDITION],
        `${state.redisStockTokens} tokens = ${sale.stock} in PostgreSQL`,
        `Redis holds ${state.redisStockTokens} tokens, PostgreSQL ${sale.stock} items`),
    );
  }

  // Hostile or broken requests refused as documented; no server errors.
  {
    const failures = [
      ...crowd.hostileResponses.filter((r) => r.status !== EXPECTED_REFUSAL[r.kind]).map((r) => `${r.kind} request answered ${r.status}`),
      ...crowd.serverErrors.map((e) => `server error ${e.status}${e.code ? ` ${e.code}` : ''}`),
    ];
    results.push(
      result('crowd-refused-as-documented', 'Malformed requests get 400, unknown sales 404, bad tokens 401, clicks before the start 403; nobody gets a 5xx or no answer', failures,
        `${crowd.hostileResponses.length} requests refused as documented (${describeCounts(crowd.hostileResponses.map((r) => `${r.kind} ${r.status}`))}); no server errors`,
        `${failures.length} unexpected answer(s): ${describeCounts(failures)}`),
    );
  }

  results.push(noTicketBeyondStock(state, crowd));
  return results;
}

/**
 * Admission hands out a ticket only against a stock token, and every token stands for an item
 * PostgreSQL can still sell: so no ticket should end FAILED SOLD_OUT. One that does was a promise
 * the stock could not keep (an admission that skipped the stock check). After a Redis loss this
 * can happen legitimately (tickets in flight from before the loss take stock the rebuilt tokens
 * offered again), so the run says when Redis was lost.
 */
export function noTicketBeyondStock(state: StoredState, crowd: Pick<CrowdObservations, 'accepted'> & { redisLost?: boolean }): InvariantResult {
  const name = 'no-ticket-beyond-stock';
  const description = 'No ticket handed out fails SOLD_OUT: each one was backed by stock';
  const soldOut = crowd.accepted.filter(({ ticketId }) => {
    const stored = state.redisTickets.get(ticketId);
    return stored?.status === 'FAILED' && stored.reason === 'SOLD_OUT';
  });
  if (crowd.redisLost) return { name, description, status: 'skip', details: `Redis was lost during the run (${soldOut.length} ticket(s) failed SOLD_OUT)` };
  return result(name, description, soldOut.map((ticket) => ticket.ticketId), `none of ${crowd.accepted.length} tickets failed SOLD_OUT`, `${soldOut.length} ticket(s) were handed out and then failed SOLD_OUT`);
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** `SUCCEEDED 20, CANCELLED 3` */
export function describeCounts(values: readonly string[]): string {
  return [...countBy(values)].map(([value, n]) => `${value} ${n}`).join(', ') || 'none';
}
