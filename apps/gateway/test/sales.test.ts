import { randomUUID } from 'node:crypto';
import { type SaleView } from '@seckill/contracts';
import { keysMatching, ownMetricNames, waitFor } from '@seckill/platform/testing';
import { saleBody, gatewayForSuite, startGateway } from './gateway-harness';
import { redisKeys } from '@seckill/redis-state';

describe('sales API', () => {
  const gateway = gatewayForSuite();

  describe('POST /api/admin/sales', () => {
    it('creates the sale in PostgreSQL and loads its stock, window and queue capacity into Redis', async () => {
      const sale = await gateway.createSale({ stock: 7, queueCapacity: 3 });
      expect(sale).toMatchObject({ initialStock: 7, remainingStock: 7, queueCapacity: 3, queueDepth: 0, state: 'ACTIVE' });

      const row = await gateway.app.prisma.sale.findUniqueOrThrow({ where: { id: sale.id } });
      expect(row).toMatchObject({ stock: 7, initialStock: 7, queueCapacity: 3 });
      expect(await gateway.app.redis.get(redisKeys.stockTokens(sale.id))).toBe('7');
      expect(await gateway.app.redis.hget(redisKeys.saleInfo(sale.id), 'queueCapacity')).toBe('3');
    });

    it('defaults the queue capacity to the stock', async () => {
      expect((await gateway.createSale({ stock: 4 })).queueCapacity).toBe(4);
    });

    it.each([
      ['no token', {}],
      ['a wrong token', { authorization: 'Bearer not-the-admin-token' }],
      ['a user token', undefined],
    ])('refuses %s with 401 UNAUTHORIZED', async (_name, headers) => {
      const response = await gateway.app.inject({
        method: 'POST',
        url: '/api/admin/sales',
        headers: headers ?? { authorization: `Bearer ${gateway.userToken('mallory')}` },
        payload: saleBody(),
      });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('UNAUTHORIZED');
    });

    it('rejects an invalid sale with 400 INVALID_INPUT', async () => {
      const response = await gateway.app.inject({
        method: 'POST',
        url: '/api/admin/sales',
        headers: gateway.adminHeaders,
        payload: { ...saleBody(), stock: -1 },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: { code: 'INVALID_INPUT', message: expect.stringContaining('stock') } });
    });

    it('rejects malformed JSON with 400 INVALID_INPUT', async () => {
      const response = await gateway.app.inject({
        method: 'POST',
        url: '/api/admin/sales',
        headers: { ...gateway.adminHeaders, 'content-type': 'application/json' },
        payload: '{"name":',
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('INVALID_INPUT');
    });

    it('rejects a media type it does not read with 415 INVALID_INPUT', async () => {
      const response = await gateway.app.inject({
        method: 'POST',
        url: '/api/admin/sales',
        headers: { ...gateway.adminHeaders, 'content-type': 'application/xml' },
        payload: '<sale/>',
      });
      expect(response.statusCode).toBe(415);
      expect(response.json().error.code).toBe('INVALID_INPUT');
    });

    it('rejects a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
      const response = await gateway.app.inject({
        method: 'POST',
        url: '/api/admin/sales',
        headers: gateway.adminHeaders,
        payload: { ...saleBody(), name: 'x'.repeat(20_000) },
      });
      expect(response.statusCode).toBe(413);
      expect(response.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    });
  });

  describe('GET /api/sales/:saleId', () => {
    it('shows state, remaining stock and queue depth', async () => {
      const sale = await gateway.createSale({ stock: 3 });
      await gateway.buy(sale.id, 'viewer-1');
      const response = await gateway.app.inject({ method: 'GET', url: `/api/sales/${sale.id}` });
      expect(response.statusCode).toBe(200);
      expect(response.json<SaleView>()).toMatchObject({ id: sale.id, remainingStock: 2, queueDepth: 1, state: 'ACTIVE' });
    });

    it('reports an upcoming sale as UPCOMING', async () => {
      const sale = await gateway.createSale({
        startsAt: new Date(Date.now() + 60_000).toISOString(),
        endsAt: new Date(Date.now() + 120_000).toISOString(),
      });
      expect(sale.state).toBe('UPCOMING');
    });

    it.each([randomUUID(), 'not-a-uuid'])('answers 404 SALE_NOT_FOUND for an unknown sale (%s)', async (saleId) => {
      const response = await gateway.app.inject({ method: 'GET', url: `/api/sales/${saleId}` });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('SALE_NOT_FOUND');
    });

    it('reloads a sale from PostgreSQL when Redis lost it, with its pre-queue and challenge options', async () => {
      const prequeueOpensAt = new Date(Date.now() - 120_000).toISOString();
      const sale = await gateway.createSale({ stock: 5, prequeueOpensAt, challengeDifficulty: 12 });
      expect(await gateway.app.prisma.sale.findUniqueOrThrow({ where: { id: sale.id } })).toMatchObject({
        prequeueOpensAt: new Date(prequeueOpensAt),
        challengeDifficulty: 12,
      });
      const keys = await keysMatching(gateway.app.redis, `${redisKeys.saleTag(sale.id)}*`);
      await gateway.app.redis.del(...keys);

      const response = await gateway.app.inject({ method: 'GET', url: `/api/sales/${sale.id}` });
      expect(response.statusCode).toBe(200);
      expect(response.json<SaleView>()).toMatchObject({ remainingStock: 5, state: 'ACTIVE', prequeueOpensAt, challengeDifficulty: 12 });
    });

    it('admits nobody new after a Redis loss until the workers consumed the tickets from before it', async () => {
      const sale = await gateway.createSale({ stock: 5 });
      const buy = (userId: string) => gateway.buy(sale.id, userId);
      expect((await buy('before-loss')).statusCode).toBe(202);
      await gateway.app.redis.del(...(await keysMatching(gateway.app.redis, `${redisKeys.saleTag(sale.id)}*`)));

      // The ticket of 'before-loss' is in Kafka only: nobody may be admitted past it unseen.
      const whileRecovering = await buy('after-loss');
      expect(whileRecovering.statusCode).toBe(503);
      expect(whileRecovering.headers['retry-after']).toBe('1');
      expect(whileRecovering.json().error.code).toBe('SERVICE_UNAVAILABLE');
      await new Promise((resolve) => setTimeout(resolve, gateway.config.ENQUEUE_WAIT_MS + 500));
      expect((await buy('after-loss')).statusCode).toBe(503);

      await gateway.workersCaughtUp();
      const admitted = await waitFor(
        async () => {
          const response = await buy('after-loss');
          return response.statusCode === 202 ? response : undefined;
        },
        { timeoutMs: 10_000, what: 'admission after the recovery' },
      );
      expect(admitted.json()).toMatchObject({ status: 'QUEUED', ticketId: expect.stringMatching(/\.2\.\d+$/) });
    });

    it('admits again after SALE_RECOVERY_MAX_MS when the workers do not catch up', async () => {
      const impatient = await startGateway({ SALE_RECOVERY_MAX_MS: '1500' });
      try {
        const sale = await impatient.createSale({ stock: 5 });
        const buy = (userId: string) => impatient.buy(sale.id, userId);
        expect((await buy('before-loss')).statusCode).toBe(202);
        await impatient.app.redis.del(...(await keysMatching(impatient.app.redis, `${redisKeys.saleTag(sale.id)}*`)));
        expect((await buy('after-loss')).statusCode).toBe(503);
        await waitFor(async () => ((await buy('after-loss')).statusCode === 202 ? true : undefined), {
          timeoutMs: 10_000,
          what: 'admission after SALE_RECOVERY_MAX_MS',
        });
      } finally {
        await impatient.close();
      }
    });
  });

  describe('every other error', () => {
    it('answers an unknown route with 404 NOT_FOUND in the error shape', async () => {
      const response = await gateway.app.inject({ method: 'GET', url: '/api/nope' });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
    });
  });

  describe('GET /openapi.json', () => {
    it('documents every route', async () => {
      const response = await gateway.app.inject({ method: 'GET', url: '/openapi.json' });
      expect(response.statusCode).toBe(200);
      const document = response.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
      expect(document.openapi).toMatch(/^3\./);
      const operations = Object.entries(document.paths).flatMap(([route, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${route}`),
      );
      expect(operations.sort()).toEqual(
        [
          'POST /api/admin/sales',
          'GET /api/admin/sales',
          'PATCH /api/admin/sales/{saleId}',
          'POST /api/admin/sales/{saleId}/end',
          'GET /api/admin/sales/{saleId}/stats',
          'GET /api/admin/sales/{saleId}/stats/stream',
          'GET /api/sales/{saleId}',
          'POST /api/sales/{saleId}/orders',
          'POST /api/sales/{saleId}/challenge',
          'GET /api/tickets/{ticketId}',
          'DELETE /api/tickets/{ticketId}',
          'POST /api/orders/{orderId}/pay',
          'GET /api/orders/{orderId}',
          'GET /healthz',
          'GET /readyz',
          'GET /metrics',
        ].sort(),
      );
      expect(document.paths['/api/admin/sales']?.post).toMatchObject({
        requestBody: { content: { 'application/json': { schema: { required: expect.arrayContaining(['name', 'stock']) } } } },
      });
    });
  });

  describe('health', () => {
    it('is alive and ready when every dependency answers', async () => {
      expect((await gateway.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
      const ready = await gateway.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready', checks: { redis: 'up', kafka: 'up', postgres: 'up', nats: 'up' } });
    });

    it('serves Prometheus metrics with request and admission counters', async () => {
      const response = await gateway.app.inject({ method: 'GET', url: '/metrics' });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('seckill_gateway_http_requests_total');
      expect(response.body).toContain('seckill_gateway_admissions_total');
      // One naming scheme for every app: seckill_<app>_...
      expect(ownMetricNames(response.body).filter((name) => !name.startsWith('seckill_gateway_'))).toEqual([]);
    });
  });
});
