import proxy from '@fastify/http-proxy';
import { createMetricsRegistry } from '@seckill/platform';
import { opsRoutes } from '@seckill/platform/fastify';
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import type { WebConfig } from './config';
import { bundlePageScript, pageEntry } from './page-bundle';
import { dashboardRoutes } from './routes/dashboard';
import { demoRoutes } from './routes/demo';
import { shopRoutes } from './routes/shop';
import { bundleShopScripts, type ShopScripts } from './shop-bundle';

export interface WebAppOptions {
  config: Pick<WebConfig, 'AUTH_SECRET' | 'GATEWAY_URL' | 'PUSH_URLS' | 'DEMO_SALE_ID' | 'DEMO_TOKEN_TTL_MS' | 'DEMO_LOGIN'>;
  /** The bundled page script and challenge worker; bundled here when not given. */
  scripts?: ShopScripts;
  /** The bundled dashboard script; bundled here when not given. */
  dashboardScript?: string;
  registry?: Registry;
}

/** The demo shop as a Fastify plugin: page, SDK bundle, demo login, the live sale dashboard, `/api/*` proxied to the gateway. */
export const webApp: FastifyPluginAsync<WebAppOptions> = async (app, options) => {
  const { config } = options;
  const registry = options.registry ?? createMetricsRegistry('web');
  const scripts = options.scripts ?? (await bundleShopScripts());

  await app.register(opsRoutes, {
    registry,
    // The page is useless without the API it proxies to.
    probes: {
      gateway: async () => {
        const response = await fetch(new URL('/healthz', config.GATEWAY_URL), { signal: AbortSignal.timeout(1_000) });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
      },
    },
  });
  await app.register(demoRoutes, {
    authSecret: config.AUTH_SECRET,
    tokenTtlMs: config.DEMO_TOKEN_TTL_MS,
    pushUrls: config.PUSH_URLS,
    demoSaleId: config.DEMO_SALE_ID,
    demoLogin: config.DEMO_LOGIN,
  });
  await app.register(shopRoutes, { scripts });
  await app.register(dashboardRoutes, { dashboardScript: options.dashboardScript ?? (await bundlePageScript(pageEntry('dashboard'))) });
  // Same-origin API for the page: no CORS, and the gateway's status codes and Retry-After pass through untouched.
  await app.register(proxy, { upstream: config.GATEWAY_URL, prefix: '/api', rewritePrefix: '/api' });
};
