import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { findTicketOutcome, recordClosedTickets } from '@seckill/db';
import { createLogger, createMetricsRegistry, publishConfirmed, withDeadline, type Logger } from '@seckill/platform';
import { natsPlugin, opsRoutes, redisPlugin, requestTracing } from '@seckill/platform/fastify';
import { createRedisState } from '@seckill/redis-state';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ISocketFactory } from 'kafkajs';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { DEV_ORIGIN_PATTERN, type GatewayConfig } from './config';
import { createAdmission } from './domain/admission';
import { systemClock, type Clock } from './domain/clock';
import { createGatewayMetrics, type GatewayMetrics } from './domain/metrics';
import { createFakePaymentProvider, createPayments, type PaymentProvider } from './domain/payments';
import { createSaleCatalog } from './domain/sale-catalog';
import { createSaleAdmin } from './domain/sale-admin';
import { createSaleRecovery } from './domain/sale-recovery';
import { createSaleStatsReader } from './domain/sale-stats';
import { createOutboxRelay, type OutboxRelay } from './domain/outbox-relay';
import { createPrequeueDraw } from './domain/prequeue-draw';
import { createPurchaseChallenges } from './domain/purchase-challenges';
import { createTicketService } from './domain/tickets';
import { createWaitEstimator } from './domain/wait-estimator';
import auth from './plugins/app/auth';
import errors from './plugins/app/errors';
import loadShedding from './plugins/app/load-shedding';
import rateLimits from './plugins/app/rate-limits';
import saleActivity from './plugins/app/sale-activity';
import kafka from './plugins/external/kafka';
import prisma from './plugins/external/prisma';
import { adminRoutes } from './routes/admin';
import { challengeRoutes } from './routes/challenges';
import { paymentRoutes } from './routes/payments';
import { purchaseRoutes } from './routes/purchases';
import { salesRoutes } from './routes/sales';
import { ticketRoutes } from './routes/tickets';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: GatewayMetrics;
    outboxRelay: OutboxRelay;
  }
}

export interface GatewayOptions {
  config: GatewayConfig;
  paymentProvider?: PaymentProvider;
  clock?: Clock;
  /** Tests: Kafka sockets they can freeze. */
  kafkaSocketFactory?: ISocketFactory;
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
    await fastify.register(requestTracing);
    await fastify.register(loadShedding, { maxEventLoopDelayMs: config.SHED_EVENT_LOOP_DELAY_MS });
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

    // How long the gateway itself took (Server-Timing): what the answer bound is about, apart from
    // the time a request waited in a client's or a load balancer's queue.
    fastify.addHook('onSend', async (_request, reply) => {
      reply.header('server-timing', `app;dur=${reply.elapsedTime.toFixed(1)}`);
    });
    fastify.addHook('onResponse', async (request, reply) => {
      metrics.countRequest(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode);
    });

    await fastify.register(redisPlugin, { url: config.REDIS_URL, name: 'gateway', commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS });
    await fastify.register(prisma, { databaseUrl: config.DATABASE_URL });
    await fastify.register(natsPlugin, { url: config.NATS_URL, name: 'gateway' });
    const redisState = createRedisState({ redis: fastify.redis });
    const log = (component: string) => fastify.log.child({ component }) as Logger;
    const inPostgres = <T>(work: Promise<T>) => withDeadline(work, config.POSTGRES_TIMEOUT_MS, 'PostgreSQL');
    const closeTickets = (tickets: Parameters<typeof recordClosedTickets>[1]) => inPostgres(recordClosedTickets(fastify.prisma, tickets));
    // Confirmed: a cancel or a reaped ticket is announced by no one else (a worker's results are redelivered instead).
    const publishTicketEvent = (subject: string, event: object) =>
      void publishConfirmed(fastify.nats, subject, JSON.stringify(event)).catch((err: unknown) =>
        log('nats').warn({ err, subject }, 'a ticket event could not be published'),
      );
    const prequeueDraw = createPrequeueDraw({
      redisState,
      // The Kafka plugin below decorates the producer; nothing draws before the app is ready.
      orderProducer: { send: (order) => fastify.orderProducer.send(order) },
      clock,
      logger: log('lottery'),
      relayAfterMs: config.OUTBOX_RELAY_AFTER_MS,
      onDrawn: metrics.countDrawnTickets,
    });
    const relay = createOutboxRelay({
      redisState,
      prequeueDraw,
      // The Kafka plugin below decorates the producer; the relay only sends once the app is ready.
      orderProducer: { send: (order) => fastify.orderProducer.send(order) },
      closeTickets,
      publishTicketEvent,
      subjectPrefix: config.NATS_SUBJECT_PREFIX,
      clock,
      logger: log('outbox'),
      intervalMs: config.OUTBOX_SWEEP_INTERVAL_MS,
      retryMs: config.OUTBOX_RELAY_AFTER_MS,
      enqueueDeadlineMs: config.ENQUEUE_DEADLINE_MS,
      onSwept: metrics.countOutboxSweep,
    });
    fastify.decorate('outboxRelay', relay);
    fastify.addHook('onReady', async () => relay.start());
    // Hooks run in the order they were added: the relay stops before the Kafka plugin's last flush.
    fastify.addHook('preClose', async () => relay.stop());
    await fastify.register(kafka, {
      brokers: config.KAFKA_BROKERS,
      topic: config.ORDERS_TOPIC,
      workerGroup: config.ORDER_WORKER_GROUP,
      producerCount: config.KAFKA_PRODUCERS,
      lingerMs: config.KAFKA_LINGER_MS,
      maxBatchMessages: config.KAFKA_BATCH_MAX_MESSAGES,
      requestTimeoutMs: config.KAFKA_REQUEST_TIMEOUT_MS,
      logger: fastify.log as Logger,
      onBatch: metrics.observeKafkaBatch,
      // Acknowledged: the outbox lets them go (a failure here only means a harmless re-send).
      onDelivered: (orders) =>
        void redisState.clearOutbox(orders).catch((err: unknown) => fastify.log.warn({ err }, 'could not clear the outbox')),
      ...(options.kafkaSocketFactory ? { socketFactory: options.kafkaSocketFactory } : {}),
    });
    await fastify.register(auth, { authSecret: config.AUTH_SECRET, adminToken: config.ADMIN_TOKEN });
    await fastify.register(rateLimits, {
      perUserPerMinute: config.RATE_LIMIT_PER_USER_PER_MIN,
      perIpPerMinute: config.RATE_LIMIT_PER_IP_PER_MIN,
    });

    const estimator = createWaitEstimator({
      redis: fastify.redis,
      clock,
      defaultOrdersPerSecond: config.DEFAULT_ORDERS_PER_SECOND,
      staleAfterMs: config.THROUGHPUT_STALE_MS,
    });
    const recovery = createSaleRecovery({
      redisState,
      orderQueue: fastify.orderQueue,
      clock,
      logger: log('recovery'),
      // Batches admitted before the loss are answered (and so sent or given up on) within this.
      settleMs: config.ENQUEUE_WAIT_MS,
      maxMs: config.SALE_RECOVERY_MAX_MS,
    });
    const watchRecovery = (saleId: string) => void recovery.watch(saleId);
    const sales = createSaleCatalog({ prisma: fastify.prisma, redisState, clock, onReloaded: watchRecovery });
    const challenges = createPurchaseChallenges({ secret: config.AUTH_SECRET, ttlMs: config.CHALLENGE_TTL_MS, clock });
    const admission = createAdmission({
      redisState,
      sales,
      prequeueDraw,
      challenges,
      orderProducer: fastify.orderProducer,
      estimator,
      clock,
      logger: log('admission'),
      timings: {
        admissionTimeoutMs: config.ADMISSION_TIMEOUT_MS,
        enqueueWaitMs: config.ENQUEUE_WAIT_MS,
        relayAfterMs: config.OUTBOX_RELAY_AFTER_MS,
      },
      limits: { perUser: config.RATE_LIMIT_PER_USER_PER_MIN, perIp: config.RATE_LIMIT_PER_IP_PER_MIN, windowMs: 60_000 },
      onOutcome: metrics.countAdmission,
      onRecovering: watchRecovery,
    });
    const tickets = createTicketService({
      redisState,
      findOutcome: (ticketId) => inPostgres(findTicketOutcome(fastify.prisma, ticketId)),
      closeTickets,
      estimator,
      subjectPrefix: config.NATS_SUBJECT_PREFIX,
      publishTicketEvent,
      clock,
      logger: log('tickets'),
    });
    const payments = createPayments({
      prisma: fastify.prisma,
      provider: options.paymentProvider ?? createFakePaymentProvider(),
      clock,
      publishOrderEvent: publishTicketEvent,
      subjectPrefix: config.NATS_SUBJECT_PREFIX,
    });

    await fastify.register(opsRoutes, {
      registry: metrics.registry,
      probes: {
        redis: () => fastify.redis.ping(),
        kafka: () => {
          if (!fastify.orderProducer.connected()) throw new Error('producer not connected');
        },
        postgres: () => fastify.prisma.$queryRaw`SELECT 1`,
        nats: () => (fastify.nats.isClosed() ? Promise.reject(new Error('closed')) : fastify.nats.flush()),
      },
    });
    await fastify.register(salesRoutes, { sales });
    await fastify.register(challengeRoutes, { sales, challenges, clock });
    await fastify.register(purchaseRoutes, { admission, tickets });
    await fastify.register(ticketRoutes, { tickets });
    await fastify.register(paymentRoutes, { payments });
    await fastify.register(saleActivity, { redisState });
    await fastify.register(adminRoutes, {
      admin: createSaleAdmin({
        prisma: fastify.prisma,
        redisState,
        sales,
        clock,
        logger: log('admin'),
        leadMs: config.ADMIN_CHANGE_LEAD_MS,
      }),
      stats: createSaleStatsReader({
        prisma: fastify.prisma,
        redisState,
        sales,
        orderQueue: fastify.orderQueue,
        clock,
        windowSeconds: config.STATS_WINDOW_SECONDS,
        staleAfterMs: config.THROUGHPUT_STALE_MS,
        timeoutMs: config.POSTGRES_TIMEOUT_MS,
      }),
      streamIntervalMs: config.STATS_STREAM_INTERVAL_MS,
    });
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
