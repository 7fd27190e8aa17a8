import { userTicketSubject, type OrderEvent, type TicketEvent } from '@seckill/contracts';
import type { NatsConnection } from '@nats-io/transport-node';

/** Publishes to each user's own subject; the push gateway forwards whatever JSON arrives there. */
export function createUserEventPublisher(options: { nats: NatsConnection; subjectPrefix?: string }) {
  const { nats, subjectPrefix } = options;
  return {
    /** Publish every event, then flush: resolves once the server has them all. */
    async publish(events: readonly { userId: string; event: TicketEvent | OrderEvent }[]): Promise<void> {
      if (events.length === 0) return;
      for (const { userId, event } of events) nats.publish(userTicketSubject(userId, subjectPrefix), JSON.stringify(event));
      await nats.flush();
    },
  };
}
export type UserEventPublisher = ReturnType<typeof createUserEventPublisher>;
