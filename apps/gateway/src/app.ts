import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { createLogger, createMetricsRegistry, createTicketStore, type Logger } from '@seckill/platform';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { DEV_ORIGIN_PATTERN, type GatewayConfig } from './config';
import { createAdmission } from './domain/admission';
import { systemClock, type Clock } from './domain/clock';
import { createGatewayMetrics, type GatewayMetrics } from './domain/metrics';
import { createFakePaymentProvider, createPayments, type PaymentProvider } from './domain/payments';
import { createSaleCatalog } from './domain/sale-catalog';
import { createSoldOutMemory } from './domain/sold-out-memory';
import { createTicketService } from './domain/tickets';
import { createWaitEstimator } from './domain/wait-estimator';
import auth from './plugins/app/auth';
import errors from './plugins/app/errors';
import rateLimits from './plugins/app/rate-limits';
import kafka from './plugins/external/kafka';
import nats from './plugins/external/nats';
import prisma from './plugins/external/prisma';
import redis from './plugins/external/redis';
import { healthRoutes } from './routes/health';
import { paymentRoutes } from './routes/payments';
import { purchaseRoutes } from './routes/purchases';
import { salesRoutes } from './routes/sales';
import { ticketRoutes } from './routes/tickets';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: GatewayMetrics;
  }
}

export interface GatewayOptions {
  config: GatewayConfig;
  paymentProvider?: PaymentProvider;
  clock?: Clock;
}

/** The gateway as a Fastify plugin: connections, domain services, routes. It never listens. */
export const gatewayApp = fp<GatewayOptions>(
  async (fastify, options) => {
    const { config } = options;
    const clock = options.clock ?? systemClock;
    const metrics = createGatewayMetrics(createMetricsRegistry('gateway'));
    fastify.decorate('metrics', metrics);

    fastify.setValidatorCompiler(validatorCompiler);
    fastify.setSerializerCompiler(serializerCompiler);
    await fastify.register(errors);
    await fastify.register(cors, {
      origin: config.CORS_ORIGINS ?? DEV_ORIGIN_PATTERN,
      exposedHeaders: ['Retry-After'], // the page reads it on 429/503
      maxAge: 600,
    });
    await fastify.register(swagger, {
      openapi: {
        info: { title: 'Seckill gateway', description: 'Flash-sale admission with numbered tickets', version: '1.0.0' },
        components: {
          securitySchemes: {
            userJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'HS256, sub = user id' },
            adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
          },
        },
      },
      transform: jsonSchemaTransform,
    });
    if (config.SWAGGER_UI) await fastify.register(swaggerUi, { routePrefix: '/docs' });
    fastify.get('/openapi.json', { schema: { hide: true } }, async () => fastify.swagger());

    fastify.addHook('onResponse', async (request, reply) => {
      metrics.countRequest(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode);
    });

    await fastify.register(redis, { url: config.REDIS_URL });
    await fastify.register(prisma, { databaseUrl: config.DATABASE_URL });
    await fastify.register(nats, { url: config.NATS_URL });
    await fastify.register(kafka, {
      brokers: config.KAFKA_BROKERS,
      topic: config.ORDERS_TOPIC,
      producerCount: config.KAFKA_PRODUCERS,
      lingerMs: config.KAFKA_LINGER_MS,
      maxBatchMessages: config.KAFKA_BATCH_MAX_MESSAGES,
      logger: fastify.log as Logger,
      onBatch: metrics.observeKafkaBatch,
    });
    await fastify.register(auth, { authSecret: config.AUTH_SECRET, adminToken: config.ADMIN_TOKEN });
    await fastify.register(rateLimits, {
      perUserPerMinute: config.RATE_LIMIT_PER_USER_PER_MIN,
      perIpPerMinute: config.RATE_LIMIT_PER_IP_PER_MIN,
    });

    const soldOut = createSoldOutMemory({ ttlMs: config.SOLD_OUT_MEMORY_MS, clock });
    const estimator = createWaitEstimator({
      redis: fastify.redis,
      clock,
      defaultOrdersPerSecond: config.DEFAULT_ORDERS_PER_SECOND,
      staleAfterMs: config.THROUGHPUT_STALE_MS,
    });
    const sales = createSaleCatalog({ prisma: fastify.prisma, redis: fastify.redis, clock });
    const admission = createAdmission({
      redis: fastify.redis,
      sales,
      orderProducer: fastify.orderProducer,
      estimator,
      soldOut,
      clock,
      logger: fastify.log.child({ component: 'admission' }) as Logger,
      onOutcome: metrics.countAdmission,
    });
    const tickets = createTicketService({
      redis: fastify.redis,
      ticketStore: createTicketStore({ redis: fastify.redis }),
      estimator,
      soldOut,
      subjectPrefix: config.NATS_SUBJECT_PREFIX,
      publishTicketEvent: (subject, event) => fastify.nats.publish(subject, JSON.stringify(event)),
      clock,
      logger: fastify.log.child({ component: 'tickets' }) as Logger,
    });
    const payments = createPayments({
      prisma: fastify.prisma,
      provider: options.paymentProvider ?? createFakePaymentProvider(),
      clock,
    });

    await fastify.register(healthRoutes);
    await fastify.register(salesRoutes, { sales });
    await fastify.register(purchaseRoutes, { admission, tickets });
    await fastify.register(ticketRoutes, { tickets });
    await fastify.register(paymentRoutes, { payments });
  },
  { name: 'gateway' },
);

/** A ready-to-listen (or to `inject`) gateway instance. */
export async function buildGateway(options: GatewayOptions & { logger?: Logger }): Promise<FastifyInstance> {
  const logger = options.logger ?? createLogger({ name: 'gateway', level: options.config.LOG_LEVEL });
  const fastify = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: options.config.BODY_LIMIT_BYTES,
    trustProxy: options.config.TRUST_PROXY,
    // A flash sale makes tens of thousands of requests a second: no per-request log lines.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });
  await fastify.register(gatewayApp, options);
  return fastify;
}
