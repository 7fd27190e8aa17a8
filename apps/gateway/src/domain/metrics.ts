import { Counter, Histogram, type Registry } from 'prom-client';
import type { AdmissionOutcome } from './admission';

export interface GatewayMetrics {
  registry: Registry;
  countRequest(route: string, method: string, status: number): void;
  countAdmission(outcome: AdmissionOutcome): void;
  observeKafkaBatch(size: number, outcome: 'acked' | 'failed'): void;
  countOutboxSweep(counts: { relayed: number; reaped: number }): void;
  countDrawnTickets(tickets: number): void;
}

export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  const requests = new Counter({
    name: 'seckill_gateway_http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const admissions = new Counter({
    name: 'seckill_gateway_admissions_total',
    help: 'Purchase requests by admission outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const batchSizes = new Histogram({
    name: 'seckill_gateway_kafka_batch_size',
    help: 'Order messages per Kafka produce request',
    labelNames: ['outcome'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [registry],
  });
  const outbox = new Counter({
    name: 'seckill_gateway_outbox_tickets_total',
    help: "Outbox tickets re-produced to Kafka by this gateway's relay, or reaped (FAILED QUEUE_UNAVAILABLE)",
    labelNames: ['action'] as const,
    registers: [registry],
  });
  const drawn = new Counter({
    name: 'seckill_gateway_prequeue_drawn_tickets_total',
    help: 'Tickets this gateway issued drawing lottery pre-queues',
    registers: [registry],
  });
  return {
    registry,
    countDrawnTickets: (tickets) => drawn.inc(tickets),
    countOutboxSweep: ({ relayed, reaped }) => {
      if (relayed) outbox.inc({ action: 'relayed' }, relayed);
      if (reaped) outbox.inc({ action: 'reaped' }, reaped);
    },
    countRequest: (route, method, status) => requests.inc({ route, method, status }),
    countAdmission: (outcome) => admissions.inc({ outcome }),
    observeKafkaBatch: (size, outcome) => batchSizes.observe({ outcome }, size),
  };
}
