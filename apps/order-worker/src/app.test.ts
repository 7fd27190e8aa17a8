import Fastify from 'fastify';
import { Counter, Registry } from 'prom-client';
import app from './app';
import type { ReadinessChecks } from './worker';

async function build(checks: ReadinessChecks) {
  const registry = new Registry();
  new Counter({ name: 'seckill_worker_orders_total', help: 'x', labelNames: ['outcome'], registers: [registry] }).inc({ outcome: 'succeeded' });
  const server = Fastify();
  await server.register(app, { registry, readiness: async () => checks });
  return server;
}

const allUp: ReadinessChecks = { kafka: true, postgres: true, redis: true, nats: true };

describe('order-worker HTTP', () => {
  it('answers /healthz while alive', async () => {
    const server = await build(allUp);
    expect((await server.inject('/healthz')).statusCode).toBe(200);
  });

  it('is ready only when every dependency is reachable', async () => {
    const ready = await build(allUp);
    expect((await ready.inject('/readyz')).statusCode).toBe(200);
    const notJoined = await build({ ...allUp, kafka: false });
    const response = await notJoined.inject('/readyz');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ checks: { kafka: false } });
  });

  it('serves Prometheus metrics', async () => {
    const response = await (await build(allUp)).inject('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('seckill_worker_orders_total{outcome="succeeded"} 1');
  });
});
