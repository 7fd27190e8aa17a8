import { backoffDelay } from '@seckill/client';
import { openSession, type BenchSession, type OnTicket, type SessionTarget } from './sessions';

/** The SDK's reconnect defaults (packages/client): first retry after 250-500 ms. */
const SDK_RECONNECT = { initialMs: 500, maxMs: 15_000 };

/**
 * A user's session held the way the SDK holds it, for either side: after a loss, the next
 * node of the list, with the SDK's backoff and jitter between attempts.
 */
export function holdSession(target: SessionTarget, userId: string, options: { index: number; firstUrl: number; onTicket: OnTicket }) {
  let urlIndex = options.firstUrl;
  let attempt = 0;
  let losses = 0;
  let open = false;
  let stopped = false;
  let current: BenchSession;
  let retryTimer: NodeJS.Timeout | undefined;

  function connect(): BenchSession {
    const session = openSession(target, userId, { url: target.urls[urlIndex]!, index: options.index, onTicket: options.onTicket });
    current = session;
    session.opened.then(
      () => {
        attempt = 0;
        open = true;
      },
      () => undefined,
    );
    session.closed.then(() => {
      if (open) losses += 1;
      open = false;
      if (stopped) return;
      urlIndex = (urlIndex + 1) % target.urls.length;
      attempt += 1;
      retryTimer = setTimeout(connect, backoffDelay(attempt - 1, SDK_RECONNECT));
    });
    return session;
  }

  const first = connect();
  return {
    firstOpen: first.opened,
    /** Open again on some node after having lost a session. */
    get recovered() {
      return open && losses > 0;
    },
    stop() {
      stopped = true;
      clearTimeout(retryTimer);
      current.close();
      return current.closed;
    },
  };
}
export type HeldSession = ReturnType<typeof holdSession>;
