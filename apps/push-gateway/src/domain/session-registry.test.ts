import { createSessionRegistry, parsePushEvent, type PushEvent, type RegisteredSession, type SubscribeToUser } from './session-registry';

/** In-memory stand-in for NATS: counts live subscriptions per user and publishes to them. */
function fakeSubscriber() {
  const handlers = new Map<string, Set<(payload: string) => void>>();
  const calls = { subscribe: [] as string[], unsubscribe: [] as string[] };
  const subscribe: SubscribeToUser = (userId, onMessage) => {
    calls.subscribe.push(userId);
    const set = handlers.get(userId) ?? new Set();
    set.add(onMessage);
    handlers.set(userId, set);
    return {
      ready: Promise.resolve(),
      unsubscribe: () => {
        calls.unsubscribe.push(userId);
        set.delete(onMessage);
      },
    };
  };
  const publish = (userId: string, payload: unknown) => {
    for (const handler of handlers.get(userId) ?? []) handler(typeof payload === 'string' ? payload : JSON.stringify(payload));
  };
  const liveSubscriptions = (userId: string) => handlers.get(userId)?.size ?? 0;
  return { subscribe, publish, calls, liveSubscriptions };
}

function session(userId: string): RegisteredSession & { received: PushEvent[] } {
  const received: PushEvent[] = [];
  return { userId, received, deliver: (event) => received.push(event) };
}

/** A registry on a fake NATS, 5 sessions per user unless told otherwise. */
function registryOnFakeNats(options: { maxSessionsPerUser?: number; onInvalidEvent?: (userId: string, payload: string) => void } = {}) {
  const nats = fakeSubscriber();
  const registry = createSessionRegistry({ subscribe: nats.subscribe, maxSessionsPerUser: 5, ...options });
  return { nats, registry };
}

describe('session registry', () => {
  it('subscribes on the first session of a user and unsubscribes on the last', () => {
    const { nats, registry } = registryOnFakeNats();
    const [tab1, tab2] = [session('alice'), session('alice')];
    registry.add(tab1);
    registry.add(tab2);
    expect(nats.calls.subscribe).toEqual(['alice']);
    expect(registry.subscribedUserCount).toBe(1);
    expect(registry.sessionCount).toBe(2);

    registry.remove(tab1);
    expect(nats.calls.unsubscribe).toEqual([]);
    registry.remove(tab2);
    expect(nats.calls.unsubscribe).toEqual(['alice']);
    expect(nats.liveSubscriptions('alice')).toBe(0);
    expect(registry.subscribedUserCount).toBe(0);
    expect(registry.sessionCount).toBe(0);
  });

  it('subscribes again when a user comes back after their last session left', () => {
    const { nats, registry } = registryOnFakeNats();
    const first = session('alice');
    registry.add(first);
    registry.remove(first);
    const again = session('alice');
    registry.add(again);

    nats.publish('alice', { type: 'ticket', ticketId: 's.1', at: 5 });
    expect(nats.calls.subscribe).toEqual(['alice', 'alice']);
    expect(again.received).toHaveLength(1);
    expect(first.received).toHaveLength(0);
  });

  it('ignores removing a session twice or one it never had', () => {
    const { nats, registry } = registryOnFakeNats();
    const [tab1, tab2] = [session('alice'), session('alice')];
    registry.add(tab1);
    registry.add(tab2);
    registry.remove(tab1);
    registry.remove(tab1);
    registry.remove(session('bob'));
    expect(nats.calls.unsubscribe).toEqual([]);
    expect(registry.sessionCount).toBe(1);
  });

  it('delivers a user event to every session of that user and to no one else', () => {
    const { nats, registry } = registryOnFakeNats();
    const [alice1, alice2, bob] = [session('alice'), session('alice'), session('bob')];
    for (const s of [alice1, alice2, bob]) registry.add(s);

    const payload = JSON.stringify({ type: 'ticket', ticketId: 's.1', status: 'SUCCEEDED', at: 42 });
    nats.publish('alice', payload);

    expect(alice1.received).toEqual([{ text: payload, type: 'ticket', at: 42 }]);
    expect(alice2.received).toEqual([{ text: payload, type: 'ticket', at: 42 }]);
    expect(bob.received).toEqual([]);
  });

  it('refuses a session beyond the per-user cap without touching the others', () => {
    const { registry } = registryOnFakeNats({ maxSessionsPerUser: 2 });
    expect(registry.add(session('alice')).accepted).toBe(true);
    expect(registry.add(session('alice')).accepted).toBe(true);
    expect(registry.add(session('alice'))).toEqual({ accepted: false, reason: 'TOO_MANY_SESSIONS' });
    expect(registry.add(session('bob')).accepted).toBe(true);
    expect(registry.sessionCount).toBe(3);
  });

  it('keeps delivering to the other sessions when one leaves during the fan-out', () => {
    const { nats, registry } = registryOnFakeNats();
    const second = session('alice');
    const leaving: RegisteredSession = { userId: 'alice', deliver: () => registry.remove(leaving) };
    registry.add(leaving);
    registry.add(second);
    nats.publish('alice', { type: 'order', at: 1 });
    expect(second.received).toHaveLength(1);
    expect(registry.sessionCount).toBe(1);
  });

  it('drops payloads that are not JSON objects with a type and reports them', () => {
    const invalid: string[] = [];
    const { nats, registry } = registryOnFakeNats({ onInvalidEvent: (_userId, payload) => invalid.push(payload) });
    const alice = session('alice');
    registry.add(alice);
    for (const payload of ['not json', '[1]', 'null', '{"status":"SUCCEEDED"}']) nats.publish('alice', payload);
    expect(alice.received).toEqual([]);
    expect(invalid).toHaveLength(4);
  });
});

describe('parsePushEvent', () => {
  it('keeps the original text and reads type and at', () => {
    expect(parsePushEvent('{"type":"order","orderId":"o1"}')).toEqual({
      text: '{"type":"order","orderId":"o1"}',
      type: 'order',
      at: undefined,
    });
  });
});
