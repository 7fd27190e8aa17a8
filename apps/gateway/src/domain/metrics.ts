import { Counter, Histogram, type Registry } from 'prom-client';
import type { AdmissionOutcome } from './admission';

export interface GatewayMetrics {
  registry: Registry;
  countRequest(route: string, method: string, status: number): void;
  countAdmission(outcome: AdmissionOutcome): void;
  observeKafkaBatch(size: number, outcome: 'acked' | 'failed'): void;
}

export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  const requests = new Counter({
    name: 'gateway_http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const admissions = new Counter({
    name: 'gateway_admissions_total',
    help: 'Purchase requests by admission outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const batchSizes = new Histogram({
    name: 'gateway_kafka_batch_size',
    help: 'Order messages per Kafka produce request',
    labelNames: ['outcome'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [registry],
  });
  return {
    registry,
    countRequest: (route, method, status) => requests.inc({ route, method, status }),
    countAdmission: (outcome) => admissions.inc({ outcome }),
    observeKafkaBatch: (size, outcome) => batchSizes.observe({ outcome }, size),
  };
}
