import { createUserTokenVerifier } from '@seckill/platform';
import Fastify, { type FastifyInstance } from 'fastify';
import { webApp } from './app';
import { configSchema } from './config';
import { parseConfig } from '@seckill/platform';

const AUTH_SECRET = 'web-test-secret-of-at-least-32-characters!';

describe('web app', () => {
  let gateway: FastifyInstance;
  let web: FastifyInstance;
  const seenByGateway: Array<{ url: string; authorization: string | undefined }> = [];

  beforeAll(async () => {
    // Stands in for the gateway at the proxy's boundary only.
    gateway = Fastify();
    gateway.get('/healthz', async () => ({ status: 'ok' }));
    gateway.post('/api/sales/:saleId/orders', async (request, reply) => {
      seenByGateway.push({ url: request.url, authorization: request.headers.authorization });
      return reply
        .code(429)
        .header('retry-after', '4')
        .send({ error: { code: 'QUEUE_FULL', message: 'The queue is full' } });
    });
    await gateway.listen({ port: 0, host: '127.0.0.1' });
    const gatewayPort = (gateway.server.address() as { port: number }).port;

    const config = parseConfig(configSchema, {
      AUTH_SECRET,
      GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
      PUSH_URLS: 'ws://127.0.0.1:3001/ws, ws://127.0.0.1:3002/ws',
      DEMO_SALE_ID: '3f1c2d4e-0000-4000-8000-000000000001',
      DEMO_LOGIN: 'true',
    });
    web = Fastify();
    await web.register(webApp, {
      config,
      scripts: { shop: '/* bundled */', challengeWorker: '/* worker */' },
      dashboardScript: '/* dashboard */',
    });
    await web.ready();
  });

  afterAll(async () => {
    await web?.close();
    await gateway?.close();
  });

  it('serves the shop page and its stylesheet', async () => {
    const page = await web.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('id="buy-button"');
    const css = await web.inject('/shop.css');
    expect([css.statusCode, css.body]).toEqual([200, expect.stringContaining('system-ui')]); // public/base.css in front
    const script = await web.inject('/shop.js');
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.body).toBe('/* bundled */');
    expect((await web.inject('/challenge-worker.js')).body).toBe('/* worker */');
  });

  it("serves the live dashboard page, its script and the charts' stylesheet", async () => {
    const page = await web.inject('/dashboard');
    expect([page.statusCode, page.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    expect(page.body).toContain('id="admin-token"');
    expect((await web.inject('/dashboard.js')).body).toBe('/* dashboard */');
    expect((await web.inject('/dashboard/uplot.css')).body).toContain('.uplot');
    const css = await web.inject('/dashboard.css');
    expect([css.statusCode, css.body]).toEqual([200, expect.stringContaining('system-ui')]); // public/base.css in front
  });

  it('hands the page the push nodes and the demo sale', async () => {
    const response = await web.inject('/config.json');
    expect(response.json()).toEqual({
      pushUrls: ['ws://127.0.0.1:3001/ws', 'ws://127.0.0.1:3002/ws'],
      saleId: '3f1c2d4e-0000-4000-8000-000000000001',
      demoLogin: true,
    });
  });

  it('signs a user token for a valid demo name', async () => {
    const response = await web.inject({ method: 'POST', url: '/demo/login', payload: { name: 'alice_01' } });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ userId: string; token: string }>();
    expect(body.userId).toBe('alice_01');
    expect(createUserTokenVerifier(AUTH_SECRET)(body.token)).toMatchObject({ userId: 'alice_01', expiresAtMs: expect.any(Number) });
  });

  it.each([{ name: 'alice.smith' }, { name: '' }, { name: 'a'.repeat(65) }, {}, { name: 'bob', admin: true }])(
    'refuses the demo login %p',
    async (payload) => {
      const response = await web.inject({ method: 'POST', url: '/demo/login', payload });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    },
  );

  it('proxies /api to the gateway with the token, the status and Retry-After intact', async () => {
    const response = await web.inject({
      method: 'POST',
      url: '/api/sales/3f1c2d4e-0000-4000-8000-000000000001/orders',
      headers: { authorization: 'Bearer user-jwt' },
    });
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('4');
    expect(response.json()).toEqual({ error: { code: 'QUEUE_FULL', message: 'The queue is full' } });
    expect(seenByGateway.at(-1)).toEqual({
      url: '/api/sales/3f1c2d4e-0000-4000-8000-000000000001/orders',
      authorization: 'Bearer user-jwt',
    });
  });

  it('is alive, ready while the gateway answers, and exposes metrics', async () => {
    expect((await web.inject('/healthz')).statusCode).toBe(200);
    expect((await web.inject('/readyz')).statusCode).toBe(200);
    expect((await web.inject('/metrics')).body).toContain('process_cpu_seconds_total');
  });
});

describe('web config', () => {
  it('names the bad variable', () => {
    expect(() => parseConfig(configSchema, { AUTH_SECRET, PUSH_URLS: 'http://nope' })).toThrow(/PUSH_URLS/);
    expect(() => parseConfig(configSchema, { AUTH_SECRET: 'short' })).toThrow(/AUTH_SECRET/);
    expect(() => parseConfig(configSchema, { AUTH_SECRET, DEMO_SALE_ID: 'x' })).toThrow(/DEMO_SALE_ID/);
  });

  it('defaults to the local gateway and the first push node', () => {
    expect(parseConfig(configSchema, { AUTH_SECRET })).toMatchObject({
      PORT: 8080,
      GATEWAY_URL: 'http://127.0.0.1:3000',
      PUSH_URLS: ['ws://127.0.0.1:3001/ws'],
    });
  });
});

describe('readiness without a gateway', () => {
  it('answers 503 when the gateway is unreachable', async () => {
    const web = Fastify();
    const config = parseConfig(configSchema, { AUTH_SECRET, GATEWAY_URL: 'http://127.0.0.1:9' });
    await web.register(webApp, { config, scripts: { shop: '', challengeWorker: '' }, dashboardScript: '' });
    const response = await web.inject('/readyz');
    expect(response.statusCode).toBe(503);
    await web.close();
  });

  it('has no demo login unless DEMO_LOGIN=true: it would sign a token for any name', async () => {
    const config = parseConfig(configSchema, { AUTH_SECRET });
    expect([config.DEMO_LOGIN, config.HOST]).toEqual([false, '127.0.0.1']);
    const locked = Fastify();
    await locked.register(webApp, { config, scripts: { shop: '', challengeWorker: '' }, dashboardScript: '' });
    try {
      expect((await locked.inject({ method: 'POST', url: '/demo/login', payload: { name: 'mallory' } })).statusCode).toBe(404);
      expect((await locked.inject('/config.json')).json()).toMatchObject({ demoLogin: false });
    } finally {
      await locked.close();
    }
  });
});
