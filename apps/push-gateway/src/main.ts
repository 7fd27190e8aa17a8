// First: tracing must be set up before the modules it instruments load.
import { tracing } from './tracing';
import { createLogger, installGracefulShutdown, loadConfigOrExit, runMain } from '@seckill/platform';
import Fastify from 'fastify';
import pushGatewayApp from './app';
import { configSchema } from './config';

async function main() {
  const config = loadConfigOrExit(configSchema, 'push-gateway');
  const logger = createLogger({ name: 'push-gateway', level: config.LOG_LEVEL });
  const fastify = Fastify({ loggerInstance: logger });
  await fastify.register(pushGatewayApp, { config });
  installGracefulShutdown({
    logger,
    delayMs: config.SHUTDOWN_TIMEOUT_MS,
    close: async () => {
      await fastify.close();
      await tracing.shutdown();
    },
  });
  await fastify.listen({ port: config.PORT, host: config.HOST });
}

runMain('push-gateway', main);
