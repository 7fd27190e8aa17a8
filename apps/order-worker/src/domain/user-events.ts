import { userTicketSubject, type OrderEvent, type TicketEvent } from '@seckill/contracts';
import { endSpan, natsTraceHeaders, SpanKind, startSpan, type Context, type NatsConnection } from '@seckill/platform';

/** Publishes to each user's own subject; the push gateway forwards whatever JSON arrives there. */
export function createUserEventPublisher(options: { nats: NatsConnection; subjectPrefix?: string }) {
  const { nats, subjectPrefix } = options;
  return {
    /** Publish every event, then flush: resolves once the server has them all. */
    async publish(events: readonly { userId: string; event: TicketEvent | OrderEvent; trace?: Context }[]): Promise<void> {
      if (events.length === 0) return;
      const spans = events.map(({ userId, event, trace }) => {
        const subject = userTicketSubject(userId, subjectPrefix);
        // A send span per event, in its purchase's trace; the push node continues it from the headers.
        const span =
          trace &&
          startSpan(`${subjectPrefix ?? 'seckill'}.users publish`, {
            kind: SpanKind.PRODUCER,
            parent: trace,
            attributes: { 'messaging.system': 'nats' },
          });
        const natsHeaders = natsTraceHeaders(span);
        nats.publish(subject, JSON.stringify(event), natsHeaders ? { headers: natsHeaders } : undefined);
        return span;
      });
      try {
        await nats.flush();
      } catch (error) {
        for (const span of spans) endSpan(span, error);
        throw error;
      }
      for (const span of spans) endSpan(span);
    },
  };
}
export type UserEventPublisher = ReturnType<typeof createUserEventPublisher>;
