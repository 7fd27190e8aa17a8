import { env } from '@seckill/platform';
import { z } from 'zod';

/** Environment of the demo shop server; each description is a row of the README's env table (`pnpm env-tables`). */
export const configSchema = z.object({
  ...env.server({ port: 8080 }),
  AUTH_SECRET: env.authSecret.describe(
    "signs the demo login's user tokens; must be the gateway's and push nodes' secret (≥ 32 characters)",
  ),
  GATEWAY_URL: env
    .url({ protocols: ['http:', 'https:'], message: 'must be an http(s) URL like http://127.0.0.1:3000' })
    .default('http://127.0.0.1:3000')
    .describe('where `/api/*` is proxied'),
  PUSH_URLS: env
    .list({
      item: (url) => /^wss?:\/\/[^\s/]+\/\S*$/.test(url),
      message: 'must be a comma list of WebSocket URLs like ws://127.0.0.1:3001/ws',
      nonEmpty: true,
    })
    .default(['ws://127.0.0.1:3001/ws'])
    .describe(
      "push nodes handed to the page: the browser connects to them directly, so the push nodes' `ALLOWED_ORIGINS` must list the page's origin",
    ),
  DEMO_SALE_ID: z.uuid({ error: 'must be a sale id (uuid)' }).optional().describe('sale shown when the page URL has no `?sale=<id>`'),
  DEMO_TOKEN_TTL_MS: env.positiveInt(3_600_000).describe("lifetime of the demo login's tokens (1 h)"),
  DEMO_LOGIN: env
    .bool(false)
    .describe(
      '`POST /demo/login` signs a token for any name with the real `AUTH_SECRET`: only for a demo (`npm start` turns it on; off in images)',
    ),
  SHUTDOWN_TIMEOUT_MS: env.shutdownTimeoutMs(10_000).describe('SIGTERM: finish the requests in flight and close, within this'),
});
export type WebConfig = z.infer<typeof configSchema>;
