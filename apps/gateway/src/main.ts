import { createLogger, installGracefulShutdown, loadConfigOrExit, runMain } from '@seckill/platform';
import { buildGateway } from './app';
import { gatewayConfigSchema } from './config';

async function main(): Promise<void> {
  const config = loadConfigOrExit(gatewayConfigSchema, 'gateway');
  const logger = createLogger({ name: 'gateway', level: config.LOG_LEVEL });
  const app = await buildGateway({ config, logger });
  // close() stops accepting, flushes the pending Kafka batch (preClose), lets in-flight requests
  // finish, then the plugins' onClose hooks close Kafka, Redis, PostgreSQL and NATS.
  installGracefulShutdown({ logger, close: () => app.close() });
  await app.listen({ port: config.PORT, host: config.HOST });
}

runMain('gateway', main);
