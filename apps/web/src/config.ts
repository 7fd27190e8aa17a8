import { env } from '@seckill/platform';
import { z } from 'zod';

const wsUrlList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((url) => url.trim())
      .filter(Boolean),
  )
  .refine(
    (urls) => urls.length > 0 && urls.every((url) => /^wss?:\/\/[^\s/]+\/\S*$/.test(url)),
    'must be a comma list of WebSocket URLs like ws://127.0.0.1:3001/ws',
  );

/** Environment of the demo shop server. */
export const configSchema = z.object({
  PORT: env.port(8080),
  HOST: env.host,
  LOG_LEVEL: env.logLevel,
  /** Signs the demo login's user tokens; must be the gateway's and push nodes' secret. */
  AUTH_SECRET: env.authSecret,
  /** Where `/api/*` is proxied. */
  GATEWAY_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL like http://127.0.0.1:3000' }).default('http://127.0.0.1:3000'),
  /** Push nodes handed to the page (the browser connects to them directly). */
  PUSH_URLS: wsUrlList.default(['ws://127.0.0.1:3001/ws']),
  /** Sale shown when the page URL has no `?sale=<id>`. */
  DEMO_SALE_ID: z.uuid({ error: 'must be a sale id (uuid)' }).optional(),
  DEMO_TOKEN_TTL_MS: env.positiveInt(3_600_000),
  /**
   * `POST /demo/login` signs a token for any name with the real AUTH_SECRET: only for a demo
   * (`npm start` turns it on); off by default and in images.
   */
  DEMO_LOGIN: env.flag(false),
  SHUTDOWN_TIMEOUT_MS: env.shutdownTimeoutMs(10_000),
});
export type WebConfig = z.infer<typeof configSchema>;
