// First: tracing must be set up before the modules it instruments load.
import { tracing } from './tracing';
import { createLogger, installGracefulShutdown, loadConfigOrExit, runMain } from '@seckill/platform';
import { buildGateway } from './app';
import { gatewayConfigSchema } from './config';

async function main(): Promise<void> {
  const config = loadConfigOrExit(gatewayConfigSchema, 'gateway');
  const logger = createLogger({ name: 'gateway', level: config.LOG_LEVEL });
  const app = await buildGateway({ config, logger });
  // close() stops accepting, flushes the pending Kafka batch (preClose), lets in-flight requests
  // finish, then the plugins' onClose hooks close Kafka, Redis, PostgreSQL and NATS.
  installGracefulShutdown({
    logger,
    delayMs: config.SHUTDOWN_TIMEOUT_MS,
    close: async () => {
      await app.close();
      await tracing.shutdown();
    },
  });
  await app.listen({ port: config.PORT, host: config.HOST });
}

runMain('gateway', main);
