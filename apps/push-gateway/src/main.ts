// First: tracing must be set up before the modules it instruments load.
import { tracing } from './tracing';
import { runService } from '@seckill/platform';
import Fastify from 'fastify';
import pushGatewayApp from './app';
import { configSchema } from './config';

runService({
  name: 'push-gateway',
  configSchema,
  tracing,
  start: async ({ config, logger }) => {
    const server = Fastify({ loggerInstance: logger });
    await server.register(pushGatewayApp, { config });
    return { server };
  },
});
