import {
  answeredWithinBound,
  checkInvariants,
  holderGetsOwnTicket,
  noTicketBeyondStock,
  noTicketUnfinished,
  refusedHoldsNoOrder,
  type CrowdObservations,
  type PurchaseAttempt,
  type SaleState,
  type StoredState,
} from './invariants';

const saleId = '00000000-0000-4000-8000-000000000001';
const ticket = (n: number) => `${saleId}.1.${n}`;

const T0 = 1_000_000;
const bounds = { answerBoundMs: 3_000, settleBoundMs: 60_000, admissionTimeoutMs: 1_000 };
let requests = 0;
const press = (userId: string, fields: Partial<PurchaseAttempt> = {}): PurchaseAttempt => ({
  requestId: `${userId}#${++requests}`,
  userId,
  kind: 'buy',
  wave: 0,
  attempt: 1,
  startedAt: T0,
  answeredAt: T0 + 50,
  status: 410,
  code: 'SOLD_OUT',
  ...fields,
});

/** Four users want two items; user 3 cancelled, user 4 bought the returned item in a resale wave. */
function healthyRun(): { state: StoredState; crowd: CrowdObservations } {
  const state: StoredState = {
    sale: { id: saleId, initialStock: 2, stock: 0, startsAtMs: T0 },
    orders: [
      { id: 'o1', userId: 'u1', ticketId: ticket(1), status: 'PENDING_PAYMENT' },
      { id: 'o4', userId: 'u4', ticketId: ticket(4), status: 'PENDING_PAYMENT' },
    ],
    redisStockTokens: 0,
    redisQueueDepth: 0,
    storedTickets: new Map([
      [ticket(1), { userId: 'u1', status: 'SUCCEEDED', orderId: 'o1' }],
      [ticket(2), { userId: 'u3', status: 'CANCELLED' }],
      [ticket(4), { userId: 'u4', status: 'SUCCEEDED', orderId: 'o4' }],
    ]),
  };
  const crowd: CrowdObservations = {
    handedOut: [
      { ticketId: ticket(1), userId: 'u1', wave: 0, issuedAt: T0 + 40, final: { status: 'SUCCEEDED', at: T0 + 300 } },
      {
        ticketId: ticket(2),
        userId: 'u3',
        wave: 0,
        issuedAt: T0 + 45,
        final: { status: 'CANCELLED', at: T0 + 60 },
        cancelledByOwner: true,
      },
      { ticketId: ticket(4), userId: 'u4', wave: 1, issuedAt: T0 + 2_000, final: { status: 'SUCCEEDED', at: T0 + 2_300 } },
    ],
    clickMismatches: [],
    distinctBuyers: 4,
    sessions: [
      {
        sessionId: 's1',
        userId: 'u1',
        connectedAtEnd: true,
        events: [
          { ticketId: ticket(1), status: 'QUEUED' },
          { ticketId: ticket(1), status: 'SUCCEEDED', orderId: 'o1' },
        ],
      },
      { sessionId: 's1b', userId: 'u1', connectedAtEnd: true, events: [{ ticketId: ticket(1), status: 'SUCCEEDED', orderId: 'o1' }] },
      { sessionId: 's2', userId: 'u2', connectedAtEnd: true, events: [] },
      { sessionId: 's3', userId: 'u3', connectedAtEnd: true, events: [{ ticketId: ticket(2), status: 'CANCELLED' }] },
      { sessionId: 's4', userId: 'u4', connectedAtEnd: true, events: [{ ticketId: ticket(4), status: 'SUCCEEDED', orderId: 'o4' }] },
    ],
    polled: new Map([
      [ticket(1), { status: 'SUCCEEDED', orderId: 'o1' }],
      [ticket(2), { status: 'CANCELLED' }],
      [ticket(4), { status: 'SUCCEEDED', orderId: 'o4' }],
    ]),
    attempts: [
      press('u1', { status: 202, code: undefined, ticketId: ticket(1), answeredAt: T0 + 40 }),
      // u1's double click
      press('u1', { status: 202, code: undefined, ticketId: ticket(1), answeredAt: T0 + 42 }),
      press('u2'),
      press('u3', { status: 202, code: undefined, ticketId: ticket(2), answeredAt: T0 + 45 }),
      press('u4'),
      press('u4', { wave: 1, startedAt: T0 + 1_990, answeredAt: T0 + 2_000, status: 202, code: undefined, ticketId: ticket(4) }),
      press('u2', { kind: 'malformed', status: 400, code: 'INVALID_INPUT' }),
      press('u2', { kind: 'bad-token', status: 401, code: 'UNAUTHORIZED' }),
    ],
    faults: [],
  };
  return { state, crowd };
}

const saleState = (state: StoredState): SaleState => ({ ...state, sale: state.sale! });

function statusOf(results: ReturnType<typeof checkInvariants>, name: string) {
  const found = results.find((r) => r.name === name);
  if (!found) throw new Error(`no invariant ${name}`);
  return found.status;
}

/** Of the two items, one is left: in PostgreSQL and as a token in Redis. */
function oneItemUnsold(state: StoredState): void {
  state.sale = { id: saleId, initialStock: 2, stock: 1 };
  state.redisStockTokens = 1;
}

function failing(results: ReturnType<typeof checkInvariants>): string[] {
  return results.filter((r) => r.status === 'fail').map((r) => r.name);
}

describe('checkInvariants', () => {
  it('passes every invariant on a consistent run', () => {
    const { state, crowd } = healthyRun();
    const results = checkInvariants(state, crowd);
    expect(failing(results)).toEqual([]);
    expect(results.length).toBe(17);
  });

  it('catches an extra order row inserted beyond the stock', () => {
    const { state, crowd } = healthyRun();
    state.orders.push({ id: 'o9', userId: 'intruder', ticketId: ticket(9), status: 'PENDING_PAYMENT' });
    expect(failing(checkInvariants(state, crowd))).toEqual(
      expect.arrayContaining(['no-oversell', 'stock-conserved', 'exact-sell-out', 'orders-match-tickets']),
    );
  });

  it.each<[string, (run: ReturnType<typeof healthyRun>) => unknown, string[]]>([
    ['stock tokens added in Redis beyond the stock', ({ state }) => (state.redisStockTokens = 5), ['redis-tokens-match-db']],
    [
      'a double click answered with two different tickets',
      ({ crowd }) => crowd.clickMismatches.push({ userId: 'u1', ticketIds: [ticket(1), ticket(3)] }),
      ['repeat-clicks-same-ticket'],
    ],
    [
      'a ticket pushed with two different final states',
      ({ crowd }) => crowd.sessions[1]!.events.push({ ticketId: ticket(1), status: 'FAILED' }),
      ['single-final-state'],
    ],
    [
      "a connected session that never received its user's result",
      ({ crowd }) => (crowd.sessions[1]!.events = []),
      ['pushed-to-every-session'],
    ],
    [
      'a result delivered to another user',
      ({ crowd }) => crowd.sessions[2]!.events.push({ ticketId: ticket(1), status: 'SUCCEEDED' }),
      ['no-cross-user-delivery'],
    ],
    ['a polled state that disagrees with Redis', ({ crowd }) => crowd.polled.set(ticket(4), { status: 'FAILED' }), ['single-final-state']],
  ])('catches %s', (_what, breakRun, failures) => {
    const run = healthyRun();
    breakRun(run);
    expect(failing(checkInvariants(run.state, run.crowd))).toEqual(failures);
  });

  it('catches an undersold sale when demand exceeded stock', () => {
    const { state, crowd } = healthyRun();
    state.orders.pop();
    oneItemUnsold(state);
    state.storedTickets.delete(ticket(4));
    crowd.handedOut.pop();
    crowd.attempts = crowd.attempts.filter((a) => a.ticketId !== ticket(4));
    crowd.polled.delete(ticket(4));
    crowd.sessions[4]!.events = [];
    expect(failing(checkInvariants(state, crowd))).toEqual(['exact-sell-out']);
  });

  it('skips the sell-out check when demand stayed below stock', () => {
    const { state, crowd } = healthyRun();
    crowd.distinctBuyers = 1;
    expect(statusOf(checkInvariants(state, crowd), 'exact-sell-out')).toBe('skip');
  });

  it('catches two orders for one user', () => {
    const { state, crowd } = healthyRun();
    state.orders[1] = { ...state.orders[1]!, userId: 'u1' };
    expect(failing(checkInvariants(state, crowd))).toContain('one-order-per-user');
  });

  it('catches a ticket left queued', () => {
    const { state, crowd } = healthyRun();
    state.storedTickets.set(ticket(2), { userId: 'u3', status: 'QUEUED' });
    state.redisQueueDepth = 1;
    crowd.polled.set(ticket(2), { status: 'QUEUED' });
    crowd.sessions[3]!.events = [{ ticketId: ticket(2), status: 'QUEUED' }];
    expect(failing(checkInvariants(state, crowd))).toEqual(expect.arrayContaining(['every-ticket-final', 'pushed-to-every-session']));
  });

  it('does not hold a session disconnected at the end to delivery', () => {
    const { state, crowd } = healthyRun();
    crowd.sessions[1] = { ...crowd.sessions[1]!, connectedAtEnd: false, events: [] };
    expect(failing(checkInvariants(state, crowd))).toEqual([]);
  });

  it('catches a SUCCEEDED ticket whose order row is missing', () => {
    const { state, crowd } = healthyRun();
    state.orders.shift();
    oneItemUnsold(state);
    expect(failing(checkInvariants(state, crowd))).toEqual(expect.arrayContaining(['orders-match-tickets', 'exact-sell-out']));
  });

  it('catches a bad token accepted, a server error and a shopper left with a 503', () => {
    const { state, crowd } = healthyRun();
    crowd.attempts.push(
      press('u2', { kind: 'bad-token', status: 202 }),
      press('u2', { status: 500, code: 'INTERNAL' }),
      press('u2', { requestId: 'u2#left', status: 503, code: 'SERVICE_UNAVAILABLE' }),
      press('u2', { requestId: 'u2#left', attempt: 2, status: 503, code: 'SERVICE_UNAVAILABLE' }),
    );
    const results = checkInvariants(state, crowd);
    expect(failing(results)).toEqual(['crowd-refused-as-documented']);
    expect(results.find((r) => r.name === 'crowd-refused-as-documented')?.examples).toEqual([
      'bad-token request answered 202',
      'server error 500 INTERNAL',
      '503 SERVICE_UNAVAILABLE after 2 press(es)',
    ]);
  });

  it('refuses an early click answered 202 before the start, not one pressed again once the sale opened', () => {
    const { state, crowd } = healthyRun();
    crowd.attempts.push(
      press('u2', { requestId: 'u2#early', kind: 'early', wave: -1, startedAt: T0 - 1_000, status: 202 }),
      press('u3', { requestId: 'u3#early', kind: 'early', wave: -1, startedAt: T0 - 1_000, status: 503, code: 'SERVICE_UNAVAILABLE' }),
      press('u3', { requestId: 'u3#early', kind: 'early', wave: -1, attempt: 2, startedAt: T0 + 50, status: 202 }),
    );
    const results = checkInvariants(state, crowd);
    expect(results.find((r) => r.name === 'crowd-refused-as-documented')?.examples).toEqual(['early request answered 202']);
  });

  it('counts a press cut off or answered 503 by the retry that was answered', () => {
    const { state, crowd } = healthyRun();
    crowd.attempts.push(
      press('u2', { requestId: 'u2#cut', status: 0, code: 'CONNECTION_LOST' }),
      press('u2', { requestId: 'u2#cut', attempt: 2, status: 503, code: 'SERVICE_UNAVAILABLE' }),
      press('u2', { requestId: 'u2#cut', attempt: 3, status: 410, code: 'SOLD_OUT' }),
      press('u2', { requestId: 'u2#m', kind: 'malformed', status: 0, code: 'CONNECTION_LOST' }),
      press('u2', { requestId: 'u2#m', kind: 'malformed', attempt: 2, status: 400 }),
    );
    expect(failing(checkInvariants(state, crowd))).toEqual([]);
  });

  it('fails at once when the sale row is missing', () => {
    const { state, crowd } = healthyRun();
    state.sale = undefined;
    expect(failing(checkInvariants(state, crowd))).toEqual(['sale-exists']);
  });
});

describe('no-ticket-unfinished', () => {
  const fault = { name: 'gateway-kill', startedAt: T0 + 100, healedAt: T0 + 5_000 };

  it('passes when every ticket is final for the SDK and as stored, and reports the worst time after the heal', () => {
    const { state, crowd } = healthyRun();
    crowd.faults = [fault];
    crowd.handedOut[0]!.final!.at = T0 + 9_000;
    const verdict = noTicketUnfinished(saleState(state), crowd, bounds);
    expect(verdict.status).toBe('pass');
    expect(verdict.details).toContain('worst 4000 ms after the heal');
  });

  it('catches a ticket the SDK never saw final, one it gave up on, one stored as QUEUED, and one final too long after the heal', () => {
    const { state, crowd } = healthyRun();
    crowd.faults = [fault];
    delete crowd.handedOut[0]!.final;
    state.storedTickets.set(ticket(2), { userId: 'u3', status: 'QUEUED' });
    crowd.handedOut[1]!.final = { status: 'ERROR CLIENT_CLOSED', at: fault.healedAt + bounds.settleBoundMs + 9 };
    crowd.handedOut[2]!.final!.at = fault.healedAt + bounds.settleBoundMs + 1;
    const verdict = noTicketUnfinished(saleState(state), crowd, bounds);
    expect(verdict.status).toBe('fail');
    expect(verdict.examples).toEqual([
      `${ticket(1)}: no final state for the SDK`,
      `${ticket(2)}: ERROR CLIENT_CLOSED for the SDK`,
      `${ticket(2)}: QUEUED as stored`,
      `${ticket(4)}: final for the SDK 60001 ms after the heal`,
    ]);
  });

  it('takes an order row for the stored state when Redis lost the ticket, and times the store by its updatedAt', () => {
    const { state, crowd } = healthyRun();
    state.storedTickets.delete(ticket(1));
    state.storedTickets.set(ticket(4), {
      userId: 'u4',
      status: 'SUCCEEDED',
      orderId: 'o4',
      updatedAt: T0 + 2_000 + bounds.settleBoundMs + 5,
    });
    const verdict = noTicketUnfinished(saleState(state), crowd, bounds);
    expect(verdict.examples).toEqual([`${ticket(4)}: final for the store 60005 ms after it was handed out`]);
  });

  it('fails when a fault never healed', () => {
    const { state, crowd } = healthyRun();
    crowd.faults = [{ name: 'kafka-restart', startedAt: T0 }];
    expect(noTicketUnfinished(saleState(state), crowd, bounds).examples).toEqual(['kafka-restart never healed']);
  });
});

describe('refused-holds-no-order', () => {
  it('catches a user refused every time who holds an order row', () => {
    const { state, crowd } = healthyRun();
    state.orders.push({ id: 'o2', userId: 'u2', ticketId: ticket(3), status: 'PENDING_PAYMENT' });
    crowd.attempts.push(press('u2', { status: 0, code: 'CONNECTION_LOST' }));
    const verdict = refusedHoldsNoOrder(saleState(state), crowd, bounds);
    expect(verdict.status).toBe('fail');
    expect(verdict.examples?.[0]).toMatch(
      /^u2: answered 410 SOLD_OUT 1, 400 INVALID_INPUT 1, 401 UNAUTHORIZED 1, no answer \(cut\) 1, yet holds order o2$/,
    );
  });

  it('leaves an order of someone who never tried to the other checks', () => {
    const { state, crowd } = healthyRun();
    state.orders.push({ id: 'o9', userId: 'intruder', ticketId: ticket(9), status: 'PENDING_PAYMENT' });
    expect(refusedHoldsNoOrder(saleState(state), crowd, bounds).status).toBe('pass');
  });
});

describe('answered-within-bound', () => {
  it('reports the slowest answer', () => {
    const { state, crowd } = healthyRun();
    crowd.attempts.push(press('u2', { answeredAt: T0 + 2_999 }));
    const verdict = answeredWithinBound(saleState(state), crowd, bounds);
    expect(verdict.status).toBe('pass');
    expect(verdict.details).toContain('slowest 2999 ms (410 SOLD_OUT)');
  });

  it('catches a slow answer, a wait with no answer past the bound, and a request never answered', () => {
    const { state, crowd } = healthyRun();
    crowd.attempts.push(
      press('u2', { requestId: 'slow', answeredAt: T0 + 3_001, status: 202, code: undefined }),
      press('u2', { requestId: 'hung', answeredAt: T0 + 10_000, status: 0, code: 'TIMEOUT' }),
      press('u2', { requestId: 'hung', attempt: 2, startedAt: T0 + 10_250, answeredAt: T0 + 10_300, status: 202, code: undefined }),
      press('u2', { requestId: 'lost', status: 0, code: 'CONNECTION_LOST' }),
    );
    const verdict = answeredWithinBound(saleState(state), crowd, bounds);
    expect(verdict.status).toBe('fail');
    expect(verdict.examples).toEqual([
      'lost: no answer after 1 press(es)',
      'slow press 1: answered 202 QUEUED after 3001 ms',
      'hung press 1: no answer within 10000 ms',
    ]);
    expect(verdict.details).toContain('slowest 10000 ms (no answer (timeout))');
  });

  it("holds the gateway to the bound by its own time, not the wait in the shoppers' shared connections", () => {
    const { state, crowd } = healthyRun();
    crowd.attempts.push(
      press('u2', { requestId: 'queued', answeredAt: T0 + 6_000, serverMs: 40 }),
      press('u2', { requestId: 'slow-gateway', answeredAt: T0 + 3_100, serverMs: 3_050 }),
    );
    const verdict = answeredWithinBound(saleState(state), crowd, bounds);
    expect(verdict.examples).toEqual(['slow-gateway press 1: answered 410 SOLD_OUT after 3050 ms at the gateway']);
    expect(verdict.details).toContain('slowest 3050 ms (410 SOLD_OUT at the gateway); longest wait of a shopper 6000 ms');
  });
});

describe('holder-gets-own-ticket', () => {
  it("catches a holder answered SOLD_OUT by a click after their ticket's answer, and a different ticket later", () => {
    const { state, crowd } = healthyRun();
    crowd.attempts.push(
      // Sent with the click that got ticket 1: it may have been served first, while u1 held nothing.
      press('u1', { startedAt: T0, status: 410, code: 'SOLD_OUT' }),
      press('u1', { startedAt: T0 + 100, status: 410, code: 'SOLD_OUT' }),
      press('u1', { wave: 1, startedAt: T0 + 2_000, status: 202, code: undefined, ticketId: ticket(7) }),
    );
    const verdict = holderGetsOwnTicket(saleState(state), crowd, bounds);
    expect(verdict.examples).toEqual([
      `u1 holds ${ticket(1)}, a click got 410 SOLD_OUT`,
      `u1 holds ${ticket(1)}, a click got 202 QUEUED ${ticket(7)}`,
    ]);
  });

  it("forgives 503 and no answer, clicks before the ticket's wave, and clicks after the ticket was released", () => {
    const { state, crowd } = healthyRun();
    crowd.handedOut.push({
      ticketId: ticket(5),
      userId: 'u5',
      wave: 0,
      issuedAt: T0 + 50,
      final: { status: 'FAILED', reason: 'QUEUE_UNAVAILABLE', at: T0 + 1_000 },
    });
    crowd.attempts.push(
      press('u1', { status: 503, code: 'SERVICE_UNAVAILABLE' }),
      press('u1', { status: 0, code: 'TIMEOUT' }),
      press('u4', { wave: 0, status: 410 }),
      press('u5', { status: 202, code: undefined, ticketId: ticket(5) }),
      press('u5', { wave: 1, startedAt: T0 + 1_500, status: 410 }),
      // u3 cancelled their ticket, then tried again
      press('u3', { wave: 1, startedAt: T0 + 100, status: 410 }),
    );
    expect(holderGetsOwnTicket(saleState(state), crowd, bounds).status).toBe('pass');
  });

  it('holds a user to a ticket whose answer never came (its gateway died) once its admission was over', () => {
    const { state, crowd } = healthyRun();
    state.storedTickets.set(ticket(9), { userId: 'u2', status: 'SUCCEEDED', orderId: 'o9', admittedAt: T0 + 10, updatedAt: T0 + 300 });
    crowd.attempts.push(
      press('u2', { startedAt: T0 + 500, status: 410 }), // the admission may still have been running
      press('u2', { startedAt: T0 + 1_100, status: 410 }),
    );
    expect(holderGetsOwnTicket(saleState(state), crowd, bounds).examples).toEqual([`u2 holds ${ticket(9)}, a click got 410 SOLD_OUT`]);
  });

  it('does not release a ticket cancelled by the system rather than by its holder', () => {
    const { state, crowd } = healthyRun();
    crowd.handedOut[1] = {
      ...crowd.handedOut[1]!,
      cancelledByOwner: false,
      final: { status: 'CANCELLED', reason: 'NOT_ENQUEUED', at: T0 + 60 },
    };
    crowd.attempts.push(press('u3', { wave: 1, startedAt: T0 + 100, status: 410 }));
    expect(holderGetsOwnTicket(saleState(state), crowd, bounds).status).toBe('fail');
  });
});

describe('no-ticket-beyond-stock', () => {
  it('fails a ticket that was handed out and then failed SOLD_OUT, Redis lost or not', () => {
    const { state, crowd } = healthyRun();
    state.storedTickets.set(ticket(4), { userId: 'u4', status: 'FAILED', reason: 'SOLD_OUT' });
    expect(noTicketBeyondStock(saleState(state), crowd, bounds)).toMatchObject({ status: 'fail', examples: [ticket(4)] });
    const redisLost = { ...crowd, faults: [{ name: 'redis-restart', startedAt: T0, healedAt: T0 + 1_000 }] };
    expect(noTicketBeyondStock(saleState(state), redisLost, bounds).status).toBe('fail');
    expect(noTicketBeyondStock(saleState(healthyRun().state), crowd, bounds).status).toBe('pass');
  });
});
