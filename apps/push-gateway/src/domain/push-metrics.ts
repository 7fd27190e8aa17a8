import { DELIVERY_LATENCY_BOUNDS_MS } from '@seckill/contracts';
import type { ActivityRecorder } from '@seckill/redis-state';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DeliverySource } from './push-session';
import type { PushEvent } from './session-registry';

export interface PushMetrics {
  sessions: Gauge;
  subscribedUsers: Gauge;
  deliveries: Counter<'source'>;
  deliveryLatency: Histogram;
  closes: Counter<'code'>;
  invalidEvents: Counter;
  recordDelivery(event: Pick<PushEvent, 'at' | 'saleId'>, source: DeliverySource, now: number): void;
}

export function createPushMetrics(options: {
  registry: Registry;
  sessionCount: () => number;
  subscribedUserCount: () => number;
  /** Per-sale counts of live deliveries and their latency, for the admin statistics. */
  activity?: Pick<ActivityRecorder, 'count'>;
}): PushMetrics {
  const registers = [options.registry];
  const sessions = new Gauge({
    name: 'seckill_push_sessions',
    help: 'Authenticated WebSocket sessions on this node',
    registers,
    collect() {
      this.set(options.sessionCount());
    },
  });
  const subscribedUsers = new Gauge({
    name: 'seckill_push_subscribed_users',
    help: 'Users with a NATS subscription on this node (one per user, whatever their session count)',
    registers,
    collect() {
      this.set(options.subscribedUserCount());
    },
  });
  const deliveries = new Counter({
    name: 'seckill_push_deliveries_total',
    help: 'Events written to a session, by source (live from NATS, or snapshot from Redis on connect)',
    labelNames: ['source'],
    registers,
  });
  const deliveryLatency = new Histogram({
    name: 'seckill_push_delivery_latency_seconds',
    help: "Live events: from the event's `at` timestamp to the write to the socket",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const closes = new Counter({
    name: 'seckill_push_closes_total',
    help: 'Closed WebSocket connections by close code (1006: no close frame, e.g. a missed heartbeat)',
    labelNames: ['code'],
    registers,
  });
  const invalidEvents = new Counter({
    name: 'seckill_push_invalid_events_total',
    help: 'Payloads on user subjects that were not a JSON object with a string `type` (dropped)',
    registers,
  });

  return {
    sessions,
    subscribedUsers,
    deliveries,
    deliveryLatency,
    closes,
    invalidEvents,
    recordDelivery({ at, saleId }, source, now) {
      deliveries.inc({ source });
      if (source !== 'live' || at === undefined) return;
      const latencyMs = Math.max(0, now - at);
      deliveryLatency.observe(latencyMs / 1000);
      if (!saleId || !options.activity) return;
      options.activity.count(saleId, 'delivered');
      options.activity.count(saleId, `delivery_ms:${DELIVERY_LATENCY_BOUNDS_MS.find((bound) => latencyMs <= bound)}`);
    },
  };
}
