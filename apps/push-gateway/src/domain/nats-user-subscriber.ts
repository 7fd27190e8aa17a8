import { userTicketSubject } from '@seckill/contracts';
import { contextFromHeaders, endSpan, SpanKind, startSpan, withSpan, type NatsConnection } from '@seckill/platform';
import type { SubscribeToUser } from './session-registry';

/**
 * One core-NATS subscription per user on `<prefix>.users.<userId>.tickets`.
 * `ready` is a flush: once the server answers, it has the SUB, so every event
 * published after that reaches this node.
 */
export function createNatsUserSubscriber(options: { nats: NatsConnection; subjectPrefix: string }): SubscribeToUser {
  const { nats, subjectPrefix } = options;
  return (userId, onMessage) => {
    const subscription = nats.subscribe(userTicketSubject(userId, subjectPrefix), {
      callback: (error, message) => {
        if (error) return;
        // The event's trace (from the worker's headers) goes on through its delivery to the sockets.
        const span = message.headers?.get('traceparent')
          ? startSpan('push deliver', {
              kind: SpanKind.CONSUMER,
              parent: contextFromHeaders(message.headers),
              attributes: { 'messaging.system': 'nats' },
            })
          : undefined;
        withSpan(span, () => onMessage(message.string()));
        endSpan(span);
      },
    });
    const ready = nats.flush();
    ready.catch(() => undefined); // awaited by the session; keep an early unsubscribe from leaving it unhandled
    return {
      ready,
      unsubscribe: () => {
        if (!subscription.isClosed()) subscription.unsubscribe();
      },
    };
  };
}
