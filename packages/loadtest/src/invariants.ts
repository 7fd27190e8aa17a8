import { FINAL_TICKET_STATUSES, type TicketStatus } from '@seckill/contracts';
import { shouldPressAgain } from './press-again';

/** What PostgreSQL and Redis hold after the run, read directly (never the apps' own counters). */
export interface StoredState {
  sale: { id: string; initialStock: number; stock: number; startsAtMs?: number } | undefined;
  orders: Array<{ id: string; userId: string; ticketId: string; status: string }>;
  /** Stock tokens left in Redis; undefined when the key is missing or of a type we do not know. */
  redisStockTokens: number | undefined;
  /** Tickets still in the sale's Redis queue. */
  redisQueueDepth: number;
  /**
   * Every accepted ticket's stored state (missing ones absent): its Redis hash, or PostgreSQL's
   * record when Redis lost it (`storedIn: 'postgres'`); `updatedAt` is its last state change (epoch ms).
   */
  storedTickets: Map<
    string,
    { userId: string; status: string; orderId?: string; reason?: string; admittedAt?: number; updatedAt?: number; storedIn?: 'postgres' }
  >;
}

export type RefusedKind = 'malformed' | 'unknown-sale' | 'bad-token' | 'early';
/** A genuine purchase click, or one of the requests that must be refused. */
export type PurchaseKind = 'buy' | RefusedKind;

/** One press of a purchase request (`POST /api/sales/:id/orders`); the presses of one request share its `requestId`. */
export interface PurchaseAttempt {
  requestId: string;
  userId: string;
  kind: PurchaseKind;
  /** -1 before the sale opens, 0 the herd, 1.. resale waves. */
  wave: number;
  /** 1 for the first press; retries (after no answer or a 503) count up. */
  attempt: number;
  /** Epoch ms, client side. */
  startedAt: number;
  answeredAt: number;
  /** HTTP status; 0 when no answer came (connection cut, or the shopper's patience ran out). */
  status: number;
  code?: string;
  /** The ticket in a 202 (or a 200 with the already final ticket). */
  ticketId?: string;
  /** How long the gateway itself took (its Server-Timing header), without the time in the shoppers' connection queue. */
  serverMs?: number;
}

/** A ticket handed out to a shopper (202, or 200 with a ticket), and how its owner's SDK saw it end. */
export interface HandedTicket {
  ticketId: string;
  userId: string;
  wave: number;
  /** Epoch ms of the first answer carrying it. */
  issuedAt: number;
  /** Final state as the owner's SDK settled it (push or polling), with the epoch ms. */
  final?: { status: string; reason?: string; at: number };
  /** The owner cancelled it themselves (their cancel was answered 200). */
  cancelledByOwner?: boolean;
}

/** A fault injected during the run (epoch ms); `healedAt` missing when it never healed. */
export interface FaultWindow {
  name: string;
  startedAt: number;
  healedAt?: number;
}

/** What the shoppers saw, gathered by the load generator. */
export interface CrowdObservations {
  /** Every distinct ticket handed out. */
  handedOut: HandedTicket[];
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
  /** Every press of every purchase request: clicks, and the requests that must be refused. */
  attempts: PurchaseAttempt[];
  faults: FaultWindow[];
}

/** The time limits the checks hold the system to. */
export interface Bounds {
  /** Every purchase request answered within this long (client side). */
  answerBoundMs: number;
  /** Every ticket final within this long after the last fault healed (or after it was handed out). */
  settleBoundMs: number;
  /** The gateway's admission deadline (ADMISSION_TIMEOUT_MS): its script never runs later after the admission started. */
  admissionTimeoutMs: number;
}

export const DEFAULT_BOUNDS: Bounds = { answerBoundMs: 3_000, settleBoundMs: 60_000, admissionTimeoutMs: 1_000 };

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

type Sale = NonNullable<StoredState['sale']>;
/** The stored state of a sale that exists. */
export type SaleState = StoredState & { sale: Sale };
type Invariant = (state: SaleState, crowd: CrowdObservations, bounds: Bounds) => InvariantResult;

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

const liveOrders = (state: StoredState) => state.orders.filter((order) => order.status !== 'EXPIRED');

/** The label of an answer in reports: `202 QUEUED`, `410 SOLD_OUT`, `no answer (timeout)`. */
export function answerLabel(answer: { status: number; code?: string }): string {
  if (answer.status === 0)
    return answer.code === 'TIMEOUT' ? 'no answer (timeout)' : answer.code === 'CONNECTION_LOST' ? 'no answer (cut)' : 'no answer';
  if (answer.status === 202) return '202 QUEUED';
  return `${answer.status}${answer.code ? ` ${answer.code}` : ''}`;
}

export const noOversell: Invariant = (state) => {
  const { sale } = state;
  const orders = liveOrders(state).length;
  const failures: string[] = [];
  if (orders > sale.initialStock) failures.push(`${orders} orders for an initial stock of ${sale.initialStock}`);
  if (sale.stock < 0) failures.push(`PostgreSQL stock is ${sale.stock}`);
  if (state.redisStockTokens !== undefined && state.redisStockTokens < 0) failures.push(`Redis stock tokens are ${state.redisStockTokens}`);
  return result(
    'no-oversell',
    'Orders never exceed the initial stock; stock never goes below zero',
    failures,
    `${orders} orders ≤ initial stock ${sale.initialStock}; PostgreSQL stock ${sale.stock}; Redis tokens ${state.redisStockTokens ?? 'n/a'}`,
    failures.join('; '),
  );
};

/** What is left plus what was sold is what there was. */
export const stockConserved: Invariant = (state) => {
  const { sale } = state;
  const orders = liveOrders(state).length;
  const total = sale.stock + orders;
  return result(
    'stock-conserved',
    'PostgreSQL remaining stock + live orders = initial stock',
    total === sale.initialStock ? [] : [CONDITION],
    `${sale.stock} + ${orders} = ${sale.initialStock}`,
    `${sale.stock} remaining + ${orders} orders = ${total}, not ${sale.initialStock}`,
  );
};

/** Exact sell-out when demand exceeded stock (cancelled and failed tickets' stock resold). */
export const exactSellOut: Invariant = (state, crowd) => {
  const { sale } = state;
  const description = 'Demand exceeded stock, so the sale sells out exactly (cancelled stock resold)';
  if (crowd.distinctBuyers < sale.initialStock) {
    return {
      name: 'exact-sell-out',
      description,
      status: 'skip',
      details: `demand (${crowd.distinctBuyers} buyers) did not exceed the stock (${sale.initialStock})`,
    };
  }
  const orders = liveOrders(state).length;
  return result(
    'exact-sell-out',
    description,
    orders === sale.initialStock && sale.stock === 0 ? [] : [CONDITION],
    `${orders} orders = initial stock ${sale.initialStock}, stock 0, for ${crowd.distinctBuyers} buyers`,
    `${orders} orders and ${sale.stock} left of ${sale.initialStock}, although ${crowd.distinctBuyers} buyers wanted one`,
  );
};

export const oneOrderPerUser: Invariant = (state) => {
  const ordersPerUser = countBy(state.orders.map((order) => order.userId));
  const liveTicketsPerUser = countBy(
    [...state.storedTickets.values()].filter((ticket) => LIVE.has(ticket.status)).map((ticket) => ticket.userId),
  );
  const failures = [
    ...[...ordersPerUser].filter(([, n]) => n > 1).map(([userId, n]) => `${userId}: ${n} orders`),
    ...[...liveTicketsPerUser].filter(([, n]) => n > 1).map(([userId, n]) => `${userId}: ${n} live tickets`),
  ];
  return result(
    'one-order-per-user',
    'At most one order (and one live ticket) per user',
    failures,
    `${ordersPerUser.size} users with one order each`,
  );
};

export const repeatClicksSameTicket: Invariant = (_state, crowd) =>
  result(
    'repeat-clicks-same-ticket',
    'A user clicking several times gets the same ticket every time',
    crowd.clickMismatches.map((m) => `${m.userId}: ${m.ticketIds.join(', ')}`),
    'every repeated click answered with the same ticket id',
  );

export const everyTicketFinal: Invariant = (state, crowd) => {
  const failures: string[] = [];
  for (const { ticketId } of crowd.handedOut) {
    const stored = state.storedTickets.get(ticketId);
    if (!stored) failures.push(`${ticketId}: stored nowhere (Redis nor PostgreSQL)`);
    else if (!FINAL.has(stored.status)) failures.push(`${ticketId}: ${stored.status} in Redis`);
  }
  if (state.redisQueueDepth !== 0) failures.push(`queue still holds ${state.redisQueueDepth} ticket(s)`);
  return result(
    'every-ticket-final',
    'Every 202 ticket has a final state, in Redis (or PostgreSQL once Redis lost it), and the queue is empty',
    failures,
    `${crowd.handedOut.length} accepted tickets, all final (${describeCounts(crowd.handedOut.map((t) => state.storedTickets.get(t.ticketId)?.status ?? 'missing'))})`,
  );
};

/** Push, polling and Redis agree, and no ticket was seen with two final states. */
export const singleFinalState: Invariant = (state, crowd) => {
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
    const stored = state.storedTickets.get(ticketId)?.status;
    if (statuses.size > 1) failures.push(`${ticketId}: pushed ${[...statuses].join(' and ')}`);
    else if (stored && !statuses.has(stored)) failures.push(`${ticketId}: pushed ${[...statuses][0]}, stored ${stored}`);
  }
  for (const [ticketId, polled] of crowd.polled) {
    const stored = state.storedTickets.get(ticketId)?.status;
    if ('error' in polled) failures.push(`${ticketId}: polling failed (${polled.error})`);
    else if (polled.status !== stored) failures.push(`${ticketId}: polled ${polled.status}, stored ${stored ?? 'nothing'}`);
  }
  return result(
    'single-final-state',
    'Each ticket has exactly one final state: pushed, polled and stored agree',
    failures,
    `${seenFinal.size} pushed and ${crowd.polled.size} polled tickets agree with Redis`,
  );
};

export const ordersMatchTickets: Invariant = (state, crowd) => {
  const failures: string[] = [];
  const ordersByTicket = new Map(state.orders.map((order) => [order.ticketId, order]));
  const handedOut = new Set(crowd.handedOut.map((ticket) => ticket.ticketId));
  for (const [ticketId, stored] of state.storedTickets) {
    const order = ordersByTicket.get(ticketId);
    if (stored.status === 'SUCCEEDED') {
      if (!order) failures.push(`${ticketId}: SUCCEEDED without an order row`);
      else if (order.userId !== stored.userId) failures.push(`${ticketId}: order of ${order.userId}, ticket of ${stored.userId}`);
      else if (stored.orderId && stored.orderId !== order.id)
        failures.push(`${ticketId}: ticket names order ${stored.orderId}, row is ${order.id}`);
    } else if (order && FINAL.has(stored.status)) {
      failures.push(`${ticketId}: ${stored.status} but order ${order.id} exists`);
    }
  }
  for (const order of state.orders) {
    if (!handedOut.has(order.ticketId)) failures.push(`order ${order.id} (user ${order.userId}) has no accepted ticket`);
  }
  return result(
    'orders-match-tickets',
    'Every SUCCEEDED ticket has its order row and every order row its accepted ticket',
    failures,
    `${state.orders.length} order rows match ${countBy([...state.storedTickets.values()].map((t) => t.status)).get('SUCCEEDED') ?? 0} SUCCEEDED tickets`,
  );
};

export const pushedToEverySession: Invariant = (state, crowd) => {
  const failures: string[] = [];
  const sessionsByUser = groupBy(crowd.sessions, (session) => session.userId);
  let deliveries = 0;
  for (const { ticketId, userId } of crowd.handedOut) {
    const finalStatus = state.storedTickets.get(ticketId)?.status;
    for (const session of sessionsByUser.get(userId) ?? []) {
      if (!session.connectedAtEnd) continue;
      const got = session.events.some((event) => event.ticketId === ticketId && FINAL.has(event.status) && event.status === finalStatus);
      if (got) deliveries++;
      else failures.push(`${ticketId}: session ${session.sessionId} of ${userId} never received ${finalStatus ?? 'a final state'}`);
    }
  }
  const disconnected = crowd.sessions.filter((session) => !session.connectedAtEnd).length;
  return result(
    'pushed-to-every-session',
    "Every connected session of a ticket's user received its final state",
    failures,
    `${deliveries} deliveries to connected sessions${disconnected ? ` (${disconnected} session(s) not connected at the end, not counted)` : ''}`,
  );
};

export const noCrossUserDelivery: Invariant = (state, crowd) => {
  const failures: string[] = [];
  const owners = new Map(crowd.handedOut.map((ticket) => [ticket.ticketId, ticket.userId]));
  for (const session of crowd.sessions) {
    for (const event of session.events) {
      const owner = owners.get(event.ticketId) ?? state.storedTickets.get(event.ticketId)?.userId;
      if (owner !== undefined && owner !== session.userId)
        failures.push(`${session.sessionId} (${session.userId}) got ${event.ticketId} of ${owner}`);
    }
  }
  return result(
    'no-cross-user-delivery',
    "No session ever receives another user's ticket",
    failures,
    'every pushed event went to its owner',
  );
};

export const redisTokensMatchDb: Invariant = (state) => {
  const description = 'At rest, Redis stock tokens equal PostgreSQL remaining stock';
  if (state.redisStockTokens === undefined)
    return { name: 'redis-tokens-match-db', description, status: 'skip', details: 'stock token key not readable' };
  return result(
    'redis-tokens-match-db',
    description,
    state.redisStockTokens === state.sale.stock ? [] : [CONDITION],
    `${state.redisStockTokens} tokens = ${state.sale.stock} in PostgreSQL`,
    `Redis holds ${state.redisStockTokens} tokens, PostgreSQL ${state.sale.stock} items`,
  );
};

/**
 * Hostile or broken requests refused as documented, and no server errors. A press cut off or
 * answered 503 that the shopper pressed again and got answered counts by its retry's answer.
 */
export const crowdRefusedAsDocumented: Invariant = (state, crowd) => {
  const finals = finalAttempts(crowd.attempts);
  // An early click pressed again (after a 503 or no answer) once the sale had opened is a purchase like any other.
  const pressedAfterStart = (a: PurchaseAttempt) =>
    a.kind === 'early' && state.sale.startsAtMs !== undefined && a.startedAt >= state.sale.startsAtMs;
  const refusals = finals.filter((a): a is PurchaseAttempt & { kind: RefusedKind } => a.kind !== 'buy' && !pressedAfterStart(a));
  const failures = [
    ...refusals.filter((a) => a.status !== EXPECTED_REFUSAL[a.kind]).map((a) => `${a.kind} request answered ${a.status}`),
    ...crowd.attempts.filter((a) => a.status >= 500 && a.status !== 503).map((a) => `server error ${answerLabel(a)}`),
    ...finals.filter((a) => a.kind === 'buy' && shouldPressAgain(a.status)).map((a) => `${answerLabel(a)} after ${a.attempt} press(es)`),
  ];
  return result(
    'crowd-refused-as-documented',
    'Malformed requests get 400, unknown sales 404, bad tokens 401, clicks before the start 403; nobody is left with a 5xx or no answer',
    failures,
    `${refusals.length} requests refused as documented (${describeCounts(refusals.map((r) => `${r.kind} ${r.status}`))}); no server errors`,
    `${failures.length} unexpected answer(s): ${describeCounts(failures)}`,
  );
};

/** The final state of a ticket as stored: its Redis hash, or (the hash lost) its order row in PostgreSQL. */
function storedFinal(state: StoredState, ticketId: string, orderTickets: Set<string>): { status: string; at?: number } | undefined {
  const stored = state.storedTickets.get(ticketId);
  if (stored)
    return FINAL.has(stored.status) ? { status: stored.status, ...(stored.updatedAt ? { at: stored.updatedAt } : {}) } : undefined;
  return orderTickets.has(ticketId) ? { status: 'SUCCEEDED' } : undefined;
}

/** Handed-out tickets with no final state for their owner's SDK, or none as stored. */
export function unfinishedTickets(state: StoredState, crowd: Pick<CrowdObservations, 'handedOut'>): string[] {
  const orderTickets = new Set(state.orders.map((order) => order.ticketId));
  return crowd.handedOut
    .filter((ticket) => !ticket.final || !FINAL.has(ticket.final.status) || !storedFinal(state, ticket.ticketId, orderTickets))
    .map((ticket) => ticket.ticketId);
}

/** Epoch ms of the last heal of the run's faults; undefined without faults. */
function lastHeal(faults: readonly FaultWindow[]): number | undefined {
  return faults.length ? Math.max(...faults.map((fault) => fault.healedAt ?? Infinity)) : undefined;
}

/** Every ticket handed out reaches a final state, for the SDK and as stored, within the settle bound after the faults healed. */
export const noTicketUnfinished: Invariant = (state, crowd, bounds) => {
  const failures = crowd.faults.filter((fault) => fault.healedAt === undefined).map((fault) => `${fault.name} never healed`);
  const healedAt = lastHeal(crowd.faults);
  const since = healedAt === undefined ? 'it was handed out' : 'the heal';
  const orderTickets = new Set(state.orders.map((order) => order.ticketId));
  let worst = -Infinity;
  for (const ticket of crowd.handedOut) {
    const from = Math.max(ticket.issuedAt, Number.isFinite(healedAt) ? healedAt! : 0);
    const stored = storedFinal(state, ticket.ticketId, orderTickets);
    const sdkFinal = ticket.final && FINAL.has(ticket.final.status) ? ticket.final : undefined;
    if (!sdkFinal) failures.push(`${ticket.ticketId}: ${ticket.final?.status ?? 'no final state'} for the SDK`);
    if (!stored) failures.push(`${ticket.ticketId}: ${state.storedTickets.get(ticket.ticketId)?.status ?? 'nothing'} as stored`);
    for (const [view, at] of [
      ['SDK', sdkFinal?.at],
      ['store', stored?.at],
    ] as const) {
      if (at === undefined) continue;
      worst = Math.max(worst, at - from);
      if (at - from > bounds.settleBoundMs)
        failures.push(`${ticket.ticketId}: final for the ${view} ${Math.round(at - from)} ms after ${since}`);
    }
  }
  const worstText =
    worst === -Infinity ? 'no ticket' : worst <= 0 ? `every ticket final before ${since}` : `worst ${Math.round(worst)} ms after ${since}`;
  return result(
    'no-ticket-unfinished',
    `Every ticket handed out is final (for the SDK and as stored) within ${bounds.settleBoundMs} ms after the faults healed`,
    failures,
    `${crowd.handedOut.length} tickets final; ${worstText}`,
    `${failures.length} violation(s); ${worstText}`,
  );
};

/** Users never handed a ticket (every press refused or unanswered) who hold an order row anyway. */
export function refusedButOrdered(state: StoredState, crowd: Pick<CrowdObservations, 'handedOut' | 'attempts'>): string[] {
  const holders = new Set(crowd.handedOut.map((ticket) => ticket.userId));
  const tried = groupBy(crowd.attempts, (attempt) => attempt.userId);
  return state.orders
    .filter((order) => !holders.has(order.userId) && tried.has(order.userId))
    .map((order) => `${order.userId}: answered ${describeCounts(tried.get(order.userId)!.map(answerLabel))}, yet holds order ${order.id}`);
}

export const refusedHoldsNoOrder: Invariant = (state, crowd) => {
  const refused = new Set(crowd.attempts.map((a) => a.userId)).size - new Set(crowd.handedOut.map((t) => t.userId)).size;
  return result(
    'refused-holds-no-order',
    'A user who was never handed a ticket holds no order row',
    refusedButOrdered(state, crowd),
    `${Math.max(0, refused)} user(s) refused every time, none holds an order`,
  );
};

/** The slowest press: the longest answer, or the longest wait with no answer, client side. */
/** A press's answer time: the gateway's own (Server-Timing) when it answered, else what the shopper waited. */
const answerMs = (attempt: PurchaseAttempt) => attempt.serverMs ?? attempt.answeredAt - attempt.startedAt;

export function slowestAnswer(attempts: readonly PurchaseAttempt[]): { ms: number; label: string } | undefined {
  let slowest: PurchaseAttempt | undefined;
  for (const attempt of attempts) {
    if (!slowest || answerMs(attempt) > answerMs(slowest)) slowest = attempt;
  }
  return (
    slowest && {
      ms: Math.round(answerMs(slowest)),
      label: `${answerLabel(slowest)}${slowest.serverMs === undefined ? '' : ' at the gateway'}`,
    }
  );
}

/** The longest any shopper waited for one press, their connection pool's queue included. */
export function slowestWait(attempts: readonly PurchaseAttempt[]): number {
  return Math.round(attempts.reduce((max, attempt) => Math.max(max, attempt.answeredAt - attempt.startedAt), 0));
}

/**
 * Every purchase request answered, and each answer within the bound, as the gateway timed itself
 * (Server-Timing): a herd larger than the connections the shoppers share waits in their queue, which
 * no server bound can cover (the wait is reported beside). A press cut off counts as answered by its retry.
 */
export const answeredWithinBound: Invariant = (_state, crowd, bounds) => {
  const failures: string[] = [];
  for (const final of finalAttempts(crowd.attempts)) {
    if (final.status === 0) failures.push(`${final.requestId}: no answer after ${final.attempt} press(es)`);
  }
  for (const attempt of crowd.attempts) {
    // No answer within the shopper's patience is a hung request; a connection cut (a killed gateway) is answered by the retry.
    if (attempt.status === 0) {
      if (attempt.code === 'TIMEOUT')
        failures.push(
          `${attempt.requestId} press ${attempt.attempt}: no answer within ${Math.round(attempt.answeredAt - attempt.startedAt)} ms`,
        );
      continue;
    }
    const ms = Math.round(answerMs(attempt));
    if (ms > bounds.answerBoundMs)
      failures.push(
        `${attempt.requestId} press ${attempt.attempt}: answered ${answerLabel(attempt)} after ${ms} ms${attempt.serverMs === undefined ? '' : ' at the gateway'}`,
      );
  }
  const slowest = slowestAnswer(crowd.attempts);
  const slowestText = slowest
    ? `slowest ${slowest.ms} ms (${slowest.label}); longest wait of a shopper ${slowestWait(crowd.attempts)} ms`
    : 'no request';
  const retried = crowd.attempts.filter((a) => a.attempt > 1).length;
  return result(
    'answered-within-bound',
    `Every purchase request gets an HTTP answer within ${bounds.answerBoundMs} ms`,
    failures,
    `${new Set(crowd.attempts.map((a) => a.requestId)).size} requests answered; ${slowestText}${retried ? `; ${retried} press(es) again after no answer or a 503` : ''}`,
    `${failures.length} violation(s); ${slowestText}`,
  );
};

/**
 * The holder first: a user who holds ticket T gets T back on every click processed after T was
 * admitted, until T is final and released (cancelled, or FAILED QUEUE_UNAVAILABLE). The click
 * must be processed after the admission, or the user held nothing yet: so it counts once it
 * started after T's answer reached the user, or, for a ticket whose answer never came (its
 * gateway died), after the admission's deadline (`admissionTimeoutMs` past `admittedAt`: the
 * script never runs later). A 503 or no answer is no violation (they press again).
 */
export const holderGetsOwnTicket: Invariant = (state, crowd, bounds) => {
  const failures: string[] = [];
  const clicksByUser = groupBy(
    crowd.attempts.filter((a) => a.kind === 'buy'),
    (a) => a.userId,
  );
  const holdings = new Map<string, { userId: string; since: number; releasedAt?: number }>();
  for (const ticket of crowd.handedOut) {
    const released =
      ticket.final && (ticket.cancelledByOwner || (ticket.final.status === 'FAILED' && ticket.final.reason === 'QUEUE_UNAVAILABLE'));
    holdings.set(ticket.ticketId, { userId: ticket.userId, since: ticket.issuedAt, ...(released ? { releasedAt: ticket.final!.at } : {}) });
  }
  for (const [ticketId, stored] of state.storedTickets) {
    if (stored.admittedAt === undefined) continue;
    const holding = holdings.get(ticketId) ?? { userId: stored.userId, since: stored.admittedAt + bounds.admissionTimeoutMs };
    const released = stored.status === 'CANCELLED' || (stored.status === 'FAILED' && stored.reason === 'QUEUE_UNAVAILABLE');
    if (released && stored.updatedAt !== undefined) holding.releasedAt = Math.min(holding.releasedAt ?? Infinity, stored.updatedAt);
    holdings.set(ticketId, holding);
  }
  let checked = 0;
  for (const [ticketId, holding] of holdings) {
    for (const click of clicksByUser.get(holding.userId) ?? []) {
      if (
        click.startedAt <= holding.since ||
        (holding.releasedAt !== undefined && click.startedAt >= holding.releasedAt) ||
        shouldPressAgain(click.status)
      )
        continue;
      checked++;
      const sameTicket = (click.status === 202 || click.status === 200) && (click.ticketId === ticketId || click.ticketId === undefined);
      if (!sameTicket)
        failures.push(
          `${holding.userId} holds ${ticketId}, a click got ${answerLabel(click)}${click.ticketId ? ` ${click.ticketId}` : ''}`,
        );
    }
  }
  return result(
    'holder-gets-own-ticket',
    'A shopper holding a ticket gets that ticket back on every later click, never SOLD_OUT or QUEUE_FULL',
    failures,
    `${checked} clicks of ticket holders answered with their own ticket`,
  );
};

/**
 * Admission hands out a ticket only against a stock token, and every token stands for an item
 * PostgreSQL can still sell: so no ticket should end FAILED SOLD_OUT. One that does was a promise
 * the stock could not keep (an admission that skipped the stock check, or tokens rebuilt after a
 * Redis loss without the tickets that were still in flight: the sale's recovery waits for those).
 */
export const noTicketBeyondStock: Invariant = (state, crowd) => {
  const soldOut = crowd.handedOut.filter(({ ticketId }) => {
    const stored = state.storedTickets.get(ticketId);
    return stored?.status === 'FAILED' && stored.reason === 'SOLD_OUT';
  });
  return result(
    'no-ticket-beyond-stock',
    'No ticket handed out fails SOLD_OUT: each one was backed by stock',
    soldOut.map((ticket) => ticket.ticketId),
    `none of ${crowd.handedOut.length} tickets failed SOLD_OUT`,
    `${soldOut.length} ticket(s) were handed out and then failed SOLD_OUT`,
  );
};

/** Each invariant in report order. */
export const INVARIANTS: readonly Invariant[] = [
  noOversell,
  stockConserved,
  exactSellOut,
  oneOrderPerUser,
  repeatClicksSameTicket,
  everyTicketFinal,
  singleFinalState,
  ordersMatchTickets,
  pushedToEverySession,
  noCrossUserDelivery,
  redisTokensMatchDb,
  crowdRefusedAsDocumented,
  noTicketUnfinished,
  refusedHoldsNoOrder,
  answeredWithinBound,
  holderGetsOwnTicket,
  noTicketBeyondStock,
];

/**
 * The architecture's invariants (shared/ARCHITECTURE.md) plus a few that follow from them,
 * checked against the stored state and what the shoppers saw. Pure: no I/O.
 */
export function checkInvariants(state: StoredState, crowd: CrowdObservations, bounds: Bounds = DEFAULT_BOUNDS): InvariantResult[] {
  const { sale } = state;
  if (!sale) return [{ name: 'sale-exists', description: 'The sale row exists in PostgreSQL', status: 'fail', details: 'no sale row' }];
  return INVARIANTS.map((invariant) => invariant({ ...state, sale }, crowd, bounds));
}

/** The last press of each request (the answer the shopper was left with). */
export function finalAttempts(attempts: readonly PurchaseAttempt[]): PurchaseAttempt[] {
  const last = new Map<string, PurchaseAttempt>();
  for (const attempt of attempts) {
    const seen = last.get(attempt.requestId);
    if (!seen || attempt.attempt > seen.attempt) last.set(attempt.requestId, attempt);
  }
  return [...last.values()];
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
