import { checkInvariants, type CrowdObservations, type StoredState } from './invariants';

const saleId = '00000000-0000-4000-8000-000000000001';
const ticket = (n: number) => `${saleId}.${n}`;

/** Four users want two items; user 3 cancelled, user 4 bought the returned item. */
function healthyRun(): { state: StoredState; crowd: CrowdObservations } {
  const state: StoredState = {
    sale: { id: saleId, initialStock: 2, stock: 0 },
    orders: [
      { id: 'o1', userId: 'u1', ticketId: ticket(1), status: 'PENDING_PAYMENT' },
      { id: 'o4', userId: 'u4', ticketId: ticket(4), status: 'PENDING_PAYMENT' },
    ],
    redisStockTokens: 0,
    redisQueueDepth: 0,
    redisTickets: new Map([
      [ticket(1), { userId: 'u1', status: 'SUCCEEDED', orderId: 'o1' }],
      [ticket(2), { userId: 'u3', status: 'CANCELLED' }],
      [ticket(4), { userId: 'u4', status: 'SUCCEEDED', orderId: 'o4' }],
    ]),
  };
  const crowd: CrowdObservations = {
    accepted: [
      { ticketId: ticket(1), userId: 'u1' },
      { ticketId: ticket(2), userId: 'u3' },
      { ticketId: ticket(4), userId: 'u4' },
    ],
    clickMismatches: [],
    distinctBuyers: 4,
    sessions: [
      { sessionId: 's1', userId: 'u1', connectedAtEnd: true, events: [{ ticketId: ticket(1), status: 'QUEUED' }, { ticketId: ticket(1), status: 'SUCCEEDED', orderId: 'o1' }] },
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
    hostileResponses: [{ kind: 'malformed', status: 400 }, { kind: 'bad-token', status: 401 }],
    serverErrors: [],
  };
  return { state, crowd };
}

function statusOf(results: ReturnType<typeof checkInvariants>, name: string) {
  const found = results.find((r) => r.name === name);
  if (!found) throw new Error(`no invariant ${name}`);
  return found.status;
}

function failing(results: ReturnType<typeof checkInvariants>): string[] {
  return results.filter((r) => r.status === 'fail').map((r) => r.name);
}

describe('checkInvariants', () => {
  it('passes every invariant on a consistent run', () => {
    const { state, crowd } = healthyRun();
    const results = checkInvariants(state, crowd);
    expect(failing(results)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(11);
  });

  it('catches an extra order row inserted beyond the stock', () => {
    const { state, crowd } = healthyRun();
    state.orders.push({ id: 'o9', userId: 'intruder', ticketId: ticket(9), status: 'PENDING_PAYMENT' });
    expect(failing(checkInvariants(state, crowd))).toEqual(
      expect.arrayContaining(['no-oversell', 'stock-conserved', 'exact-sell-out', 'orders-match-tickets']),
    );
  });

  it('catches stock tokens added in Redis beyond the stock', () => {
    const { state, crowd } = healthyRun();
    state.redisStockTokens = 5;
    expect(failing(checkInvariants(state, crowd))).toEqual(['redis-tokens-match-db']);
  });

  it('catches an undersold sale when demand exceeded stock', () => {
    const { state, crowd } = healthyRun();
    state.orders.pop();
    state.sale = { id: saleId, initialStock: 2, stock: 1 };
    state.redisStockTokens = 1;
    state.redisTickets.delete(ticket(4));
    crowd.accepted.pop();
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

  it('catches a double click answered with two different tickets', () => {
    const { state, crowd } = healthyRun();
    crowd.clickMismatches.push({ userId: 'u1', ticketIds: [ticket(1), ticket(3)] });
    expect(failing(checkInvariants(state, crowd))).toEqual(['repeat-clicks-same-ticket']);
  });

  it('catches a ticket left queued', () => {
    const { state, crowd } = healthyRun();
    state.redisTickets.set(ticket(2), { userId: 'u3', status: 'QUEUED' });
    state.redisQueueDepth = 1;
    crowd.polled.set(ticket(2), { status: 'QUEUED' });
    crowd.sessions[3]!.events = [{ ticketId: ticket(2), status: 'QUEUED' }];
    expect(failing(checkInvariants(state, crowd))).toEqual(expect.arrayContaining(['every-ticket-final', 'pushed-to-every-session']));
  });

  it('catches a ticket pushed with two different final states', () => {
    const { state, crowd } = healthyRun();
    crowd.sessions[1]!.events.push({ ticketId: ticket(1), status: 'FAILED' });
    expect(failing(checkInvariants(state, crowd))).toEqual(['single-final-state']);
  });

  it('catches a connected session that never received its user\'s result', () => {
    const { state, crowd } = healthyRun();
    crowd.sessions[1]!.events = [];
    expect(failing(checkInvariants(state, crowd))).toEqual(['pushed-to-every-session']);
  });

  it('does not hold a session disconnected at the end to delivery', () => {
    const { state, crowd } = healthyRun();
    crowd.sessions[1] = { ...crowd.sessions[1]!, connectedAtEnd: false, events: [] };
    expect(failing(checkInvariants(state, crowd))).toEqual([]);
  });

  it('catches a result delivered to another user', () => {
    const { state, crowd } = healthyRun();
    crowd.sessions[2]!.events.push({ ticketId: ticket(1), status: 'SUCCEEDED' });
    expect(failing(checkInvariants(state, crowd))).toEqual(['no-cross-user-delivery']);
  });

  it('catches a SUCCEEDED ticket whose order row is missing', () => {
    const { state, crowd } = healthyRun();
    state.orders.shift();
    state.sale = { id: saleId, initialStock: 2, stock: 1 };
    state.redisStockTokens = 1;
    expect(failing(checkInvariants(state, crowd))).toEqual(expect.arrayContaining(['orders-match-tickets', 'exact-sell-out']));
  });

  it('catches a polled state that disagrees with Redis', () => {
    const { state, crowd } = healthyRun();
    crowd.polled.set(ticket(4), { status: 'FAILED' });
    expect(failing(checkInvariants(state, crowd))).toEqual(['single-final-state']);
  });

  it('catches a bad token accepted and a server error', () => {
    const { state, crowd } = healthyRun();
    crowd.hostileResponses.push({ kind: 'bad-token', status: 202 });
    crowd.serverErrors.push({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    const results = checkInvariants(state, crowd);
    expect(failing(results)).toEqual(['crowd-refused-as-documented']);
    expect(results.find((r) => r.name === 'crowd-refused-as-documented')?.examples).toHaveLength(2);
  });

  it('fails at once when the sale row is missing', () => {
    const { state, crowd } = healthyRun();
    state.sale = undefined;
    expect(failing(checkInvariants(state, crowd))).toEqual(['sale-exists']);
  });
});
