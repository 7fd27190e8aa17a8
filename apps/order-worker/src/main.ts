// First: tracing must be set up before the modules it instruments load.
import { tracing } from './tracing';
import Fastify from 'fastify';
import { createLogger, createMetricsRegistry, installGracefulShutdown, loadConfigOrExit, runMain } from '@seckill/platform';
import { opsRoutes } from '@seckill/platform/fastify';
import { configSchema } from './config';
import { startOrderWorker } from './worker';

async function main(): Promise<void> {
  const config = loadConfigOrExit(configSchema, 'order-worker');
  const logger = createLogger({ name: 'order-worker', level: config.LOG_LEVEL });
  const registry = createMetricsRegistry('order-worker');

  const worker = await startOrderWorker({
    config,
    logger,
    registry,
    // A supervisor restarts us; Kafka redelivers whatever was not committed.
    onFatal: (error) => {
      logger.fatal({ err: error }, 'consumer crashed with a non-retriable error; exiting');
      process.exit(1);
    },
  });

  const server = Fastify({ loggerInstance: logger.child({ component: 'http' }) });
  await server.register(opsRoutes, { registry, probes: worker.probes });

  installGracefulShutdown({
    logger,
    delayMs: config.SHUTDOWN_TIMEOUT_MS,
    close: async () => {
      await server.close();
      await worker.close();
      await tracing.shutdown();
    },
  });

  await server.listen({ port: config.PORT, host: config.HOST });
  logger.info({ workerId: config.WORKER_ID, topic: config.ORDERS_TOPIC, group: config.ORDER_WORKER_GROUP }, 'order worker running');
}

runMain('order-worker', main);
