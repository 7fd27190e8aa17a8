/** One JSON event published on a user's subject, decoded once and sent as the original text. */
export interface PushEvent {
  text: string;
  type: string;
  /** Epoch ms when the event was decided (ticket events carry it), for the latency metric. */
  at: number | undefined;
  /** The sale it is about (ticket and order events carry it), for the per-sale statistics. */
  saleId?: string | undefined;
}

/** What the registry needs from a session: who it is, how to hand it an event. */
export interface RegisteredSession {
  readonly userId: string;
  deliver(event: PushEvent): void;
}

export interface UserSubscription {
  /** Settles once the broker has the subscription, so nothing published after it is missed. */
  ready: Promise<void>;
  unsubscribe(): void;
}

/** Subscribe to one user's event stream; `onMessage` gets each raw payload. */
export type SubscribeToUser = (userId: string, onMessage: (payload: string) => void) => UserSubscription;

export type AddResult = { accepted: true; ready: Promise<void> } | { accepted: false; reason: 'TOO_MANY_SESSIONS' };

export interface SessionRegistry {
  /** Register a session; subscribes for its user when it is the user's first on this node. */
  add(session: RegisteredSession): AddResult;
  /** Forget a session (idempotent); unsubscribes when it was the user's last on this node. */
  remove(session: RegisteredSession): void;
  readonly sessionCount: number;
  readonly subscribedUserCount: number;
}

interface UserEntry {
  sessions: Set<RegisteredSession>;
  subscription: UserSubscription;
}

export function parsePushEvent(payload: string): PushEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { type, at, saleId } = parsed as { type?: unknown; at?: unknown; saleId?: unknown };
  if (typeof type !== 'string') return undefined;
  return {
    text: payload,
    type,
    at: typeof at === 'number' && Number.isFinite(at) ? at : undefined,
    ...(typeof saleId === 'string' ? { saleId } : {}),
  };
}

/**
 * Sessions of this node by user, with one broker subscription per connected user
 * (reference-counted by sessions), so a node only receives the events of the
 * users it holds and fans each one out to all of that user's sessions.
 */
export function createSessionRegistry(options: {
  subscribe: SubscribeToUser;
  maxSessionsPerUser: number;
  onInvalidEvent?: (userId: string, payload: string) => void;
}): SessionRegistry {
  const users = new Map<string, UserEntry>();
  let sessionCount = 0;

  function fanOut(userId: string, payload: string): void {
    const entry = users.get(userId);
    if (!entry) return;
    const event = parsePushEvent(payload);
    if (!event) {
      options.onInvalidEvent?.(userId, payload);
      return;
    }
    // Copy: a delivery may close its session (slow consumer) and remove it mid-loop.
    for (const session of [...entry.sessions]) session.deliver(event);
  }

  return {
    add(session) {
      let entry = users.get(session.userId);
      if (entry?.sessions.has(session)) return { accepted: true, ready: entry.subscription.ready };
      if (entry && entry.sessions.size >= options.maxSessionsPerUser) return { accepted: false, reason: 'TOO_MANY_SESSIONS' };
      if (!entry) {
        const subscription = options.subscribe(session.userId, (payload) => fanOut(session.userId, payload));
        entry = { sessions: new Set(), subscription };
        users.set(session.userId, entry);
      }
      entry.sessions.add(session);
      sessionCount += 1;
      return { accepted: true, ready: entry.subscription.ready };
    },

    remove(session) {
      const entry = users.get(session.userId);
      if (!entry?.sessions.delete(session)) return;
      sessionCount -= 1;
      if (entry.sessions.size === 0) {
        users.delete(session.userId);
        entry.subscription.unsubscribe();
      }
    },

    get sessionCount() {
      return sessionCount;
    },

    get subscribedUserCount() {
      return users.size;
    },
  };
}
