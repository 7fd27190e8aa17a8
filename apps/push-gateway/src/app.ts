import { hostname } from 'node:os';
import websocket from '@fastify/websocket';
import { PUSH_SUBPROTOCOL, toTicketEvent } from '@seckill/contracts';
import { createPrismaClient, listTicketOutcomesOfUser } from '@seckill/db';
import { createMetricsRegistry, createUserTokenVerifier, onNatsReconnect, withDeadline } from '@seckill/platform';
import { natsPlugin, opsRoutes, redisPlugin } from '@seckill/platform/fastify';
import type { FastifyInstance } from 'fastify';
import { WebSocket } from 'ws';
import type { PushConfig } from './config';
import { createConnectionHandler } from './domain/connection-handler';
import { createNatsUserSubscriber } from './domain/nats-user-subscriber';
import { createPushMetrics } from './domain/push-metrics';
import { createSessionRegistry } from './domain/session-registry';
import { createLostTicketLookup } from './domain/ticket-snapshot';
import wsRoutes from './routes/ws';
import { createActivityRecorder, createRedisState, TICKET_RESULT_TTL_SECONDS } from '@seckill/redis-state';

/** How often a node reports its session count for the admin statistics. */
const NODE_REPORT_INTERVAL_MS = 2_000;

export interface PushAppOptions {
  config: PushConfig;
  /** Names this node's connections in NATS/Redis client lists. */
  nodeName?: string;
}

/** One push node as a Fastify plugin; never listens (main.ts and tests do). */
export default async function pushGatewayApp(fastify: FastifyInstance, options: PushAppOptions) {
  const { config } = options;
  // The host too: in a cluster every pod listens on the same port.
  const nodeName = options.nodeName ?? `push-gateway:${hostname()}:${config.PORT}`;
  await fastify.register(natsPlugin, { url: config.NATS_URL, name: nodeName });
  await fastify.register(redisPlugin, { url: config.REDIS_URL, name: nodeName.replace(/[^\w-]/g, '-') });

  const redisState = createRedisState({ redis: fastify.redis });
  const prisma = createPrismaClient({ databaseUrl: config.DATABASE_URL });
  fastify.addHook('onClose', async () => prisma.$disconnect());
  const log = fastify.log.child({ component: 'push' });
  const listLostTickets = createLostTicketLookup({
    listFromPostgres: (userId) =>
      withDeadline(
        listTicketOutcomesOfUser(prisma, userId, new Date(Date.now() - TICKET_RESULT_TTL_SECONDS * 1000)),
        config.POSTGRES_TIMEOUT_MS,
        'PostgreSQL',
      ),
    logger: log,
  });
  const registry = createSessionRegistry({
    subscribe: createNatsUserSubscriber({ nats: fastify.nats, subjectPrefix: config.NATS_SUBJECT_PREFIX }),
    maxSessionsPerUser: config.MAX_SESSIONS_PER_USER,
    onInvalidEvent: (userId) => {
      metrics.invalidEvents.inc();
      log.warn({ userId }, 'dropped an event that is not a JSON object with a type');
    },
  });
  const metricsRegistry = createMetricsRegistry('push-gateway');
  const activity = createActivityRecorder({
    record: (saleId, second, counts) => redisState.recordSaleActivity(saleId, second, counts),
    onError: (err) => log.warn({ err }, 'could not record sale activity'),
  });
  const metrics = createPushMetrics({
    registry: metricsRegistry,
    sessionCount: () => registry.sessionCount,
    subscribedUserCount: () => registry.subscribedUserCount,
    activity,
  });
  const reportNode = () =>
    redisState
      .reportPushNode(nodeName, registry.sessionCount, Date.now())
      .catch((err: unknown) => log.warn({ err }, 'could not report the session count'));
  const nodeReports = setInterval(reportNode, NODE_REPORT_INTERVAL_MS);
  nodeReports.unref();
  fastify.addHook('onReady', reportNode);
  // Registered after the Redis plugin, so it runs before Redis quits (onClose hooks run last-in first-out).
  fastify.addHook('onClose', async () => {
    clearInterval(nodeReports);
    await activity.stop();
    await redisState.removePushNode(nodeName).catch(() => undefined);
  });
  const connections = createConnectionHandler({
    registry,
    verifyToken: createUserTokenVerifier(config.AUTH_SECRET),
    listTickets: async (userId) => (await redisState.listUserTickets(userId)).map((ticket) => toTicketEvent(ticket, ticket.updatedAt)),
    listLostTickets,
    metrics,
    logger: log,
    limits: {
      authTimeoutMs: config.AUTH_TIMEOUT_MS,
      heartbeatMs: config.HEARTBEAT_MS,
      slowConsumerBytes: config.SLOW_CONSUMER_BYTES,
      maxMessagesPerSecond: config.MAX_MESSAGES_PER_SECOND,
      drainTimeoutMs: config.DRAIN_TIMEOUT_MS,
    },
  });

  // Events published while the node's NATS connection was down (its server died) never arrive.
  onNatsReconnect(fastify.nats, () => {
    log.warn('NATS connection back: sending every session its snapshot again');
    void connections.resendSnapshots();
  });

  await fastify.register(websocket, {
    options: {
      maxPayload: config.MAX_PAYLOAD_BYTES,
      clientTracking: false, // the connection handler tracks sockets itself
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(PUSH_SUBPROTOCOL) ? PUSH_SUBPROTOCOL : false),
    },
    // Runs on fastify.close() (SIGTERM): sessions get 1012 before NATS and Redis close.
    preClose: (done) => {
      connections.drain().then(() => done(), done);
    },
    errorHandler: (error, socket) => {
      log.debug({ err: error }, 'websocket error');
      // ws already started a close with the right code (e.g. 1009) for protocol errors; finish the rest.
      if (socket.readyState === WebSocket.OPEN) socket.terminate();
    },
  });
  await fastify.register(wsRoutes, { connections, allowedOrigins: config.ALLOWED_ORIGINS });
  await fastify.register(opsRoutes, {
    registry: metricsRegistry,
    probes: {
      redis: () => fastify.redis.ping(),
      nats: () => (fastify.nats.isClosed() ? Promise.reject(new Error('closed')) : fastify.nats.flush()),
    },
    // Draining on SIGTERM: load balancers stop sending new sessions here.
    draining: () => connections.draining,
  });
}
