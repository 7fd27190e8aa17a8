import { runService } from '@seckill/platform';
import Fastify from 'fastify';
import { webApp } from './app';
import { configSchema } from './config';

runService({
  name: 'web',
  configSchema,
  start: async ({ config, logger }) => {
    const server = Fastify({ loggerInstance: logger });
    await server.register(webApp, { config });
    return { server };
  },
});
