// First: tracing must be set up before the modules it instruments load.
import { tracing } from './tracing';
import { runService } from '@seckill/platform';
import { buildGateway } from './app';
import { gatewayConfigSchema } from './config';

// Closing the app stops accepting, flushes the pending Kafka batch (preClose), lets in-flight
// requests finish, then the plugins' onClose hooks close Kafka, Redis, PostgreSQL and NATS.
runService({
  name: 'gateway',
  configSchema: gatewayConfigSchema,
  tracing,
  start: async ({ config, logger }) => ({ server: await buildGateway({ config, logger }) }),
});
