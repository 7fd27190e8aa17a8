import { createLogger, installGracefulShutdown, loadConfigOrExit, runMain } from '@seckill/platform';
import Fastify from 'fastify';
import { webApp } from './app';
import { configSchema } from './config';

async function main(): Promise<void> {
  const config = loadConfigOrExit(configSchema, 'web');
  const logger = createLogger({ name: 'web', level: config.LOG_LEVEL });
  const app = Fastify({ loggerInstance: logger });
  await app.register(webApp, { config });
  installGracefulShutdown({ logger, delayMs: config.SHUTDOWN_TIMEOUT_MS, close: () => app.close() });
  await app.listen({ port: config.PORT, host: config.HOST });
}

runMain('web', main);
