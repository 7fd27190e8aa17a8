import Fastify from 'fastify';
import { Counter, Registry } from 'prom-client';
import opsRoutes from './ops-routes';

describe('opsRoutes', () => {
  const registry = new Registry();
  new Counter({ name: 'seckill_test_things_total', help: 'things', registers: [registry] }).inc(3);

  async function build(probes: Record<string, () => unknown>, draining = false) {
    const app = Fastify();
    await app.register(opsRoutes, { registry, probes, draining: () => draining, probeTimeoutMs: 50 });
    return app;
  }

  it('answers /healthz while alive', async () => {
    const app = await build({});
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
  });

  it('is ready when every dependency answers', async () => {
    const response = await (await build({ redis: async () => 'PONG', kafka: () => true })).inject('/readyz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', checks: { redis: 'up', kafka: 'up' } });
  });

  it('is not ready, 503, when one throws or hangs, and names it without leaking why', async () => {
    const app = await build({
      redis: async () => 'PONG',
      postgres: () => new Promise(() => undefined),
      nats: () => {
        throw new Error('connection refused to 10.0.0.1');
      },
    });
    const response = await app.inject('/readyz');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'not ready', checks: { redis: 'up', postgres: 'down', nats: 'down' } });
    expect(response.body).not.toContain('10.0.0.1');
  });

  it('says draining, 503, while the process shuts down', async () => {
    const response = await (await build({ redis: async () => 'PONG' }, true)).inject('/readyz');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'draining', checks: { redis: 'up' } });
  });

  it('serves the registry in the Prometheus text format', async () => {
    const response = await (await build({})).inject('/metrics');
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.body).toContain('seckill_test_things_total 3');
  });
});
