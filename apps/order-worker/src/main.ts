// First: tracing must be set up before the modules it instruments load.
import { tracing } from './tracing';
import Fastify from 'fastify';
import { createMetricsRegistry, runService } from '@seckill/platform';
import { opsRoutes } from '@seckill/platform/fastify';
import { configSchema } from './config';
import { startOrderWorker } from './worker';

runService({
  name: 'order-worker',
  configSchema,
  tracing,
  start: async ({ config, logger }) => {
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
    logger.info({ workerId: config.WORKER_ID, topic: config.ORDERS_TOPIC, group: config.ORDER_WORKER_GROUP }, 'order worker running');
    // The health server closes first, then the worker finishes its batch and leaves the group.
    return { server, close: () => worker.close() };
  },
});
