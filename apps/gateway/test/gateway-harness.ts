import { randomBytes } from 'node:crypto';
import { orderRequestedSchema, type CreateSaleBody, type OrderRequested, type SaleView } from '@seckill/contracts';
import { createPrismaClient, databaseUrlFromEnv } from '@seckill/db';
import { createKafka, createLogger, createRedis, createUserTokenSigner, parseConfig } from '@seckill/platform';
import { deleteTopics, freshTopic } from '@seckill/devstack';
import { keysMatching, testServices, uniqueName, waitFor } from '@seckill/platform/testing';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Consumer } from 'kafkajs';
import { buildGateway, type GatewayOptions } from '../src/app';
import { gatewayConfigSchema, type GatewayConfig } from '../src/config';
import { redisKeys } from '@seckill/redis-state';

const logger = createLogger({ name: 'gateway-test', level: 'silent' });

/** A gateway on a fresh Kafka topic and NATS prefix, talking to the real services. */
export interface GatewayHarness {
  app: FastifyInstance;
  config: GatewayConfig;
  userToken(userId: string): string;
  adminHeaders: { authorization: string };
  createSale(patch?: Partial<CreateSaleBody>): Promise<SaleView>;
  /** `POST /api/sales/:saleId/orders` as `userId` (a signed token), with any other `headers`. */
  buy(saleId: string, userId: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** Order messages on the harness topic, once at least `count` arrived. */
  readOrders(count: number): Promise<OrderRequested[]>;
  /** Messages on the harness topic, from the partitions' high watermarks. */
  countMessages(): Promise<number>;
  /** Commit the order workers' group at the end of the harness topic, as workers that consumed everything would. */
  workersCaughtUp(): Promise<void>;
  /** Close the gateway (as SIGTERM would); `close` still cleans up after it. */
  closeApp(): Promise<void>;
  close(): Promise<void>;
}

export function saleBody(patch: Partial<CreateSaleBody> = {}): CreateSaleBody {
  const now = Date.now();
  return {
    name: 'Test phones',
    stock: 10,
    startsAt: new Date(now - 60_000).toISOString(),
    endsAt: new Date(now + 3_600_000).toISOString(),
    ...patch,
  };
}

/** A gateway for the enclosing `describe` (or file): started before its first test, closed after its last. */
export function gatewayForSuite(env: Record<string, string> = {}, options: Omit<GatewayOptions, 'config'> = {}): GatewayHarness {
  const gateway = {} as GatewayHarness;
  beforeAll(async () => {
    Object.assign(gateway, await startGateway(env, options));
  });
  afterAll(async () => {
    await gateway.close?.();
  });
  return gateway;
}

export async function startGateway(
  env: Record<string, string> = {},
  options: Omit<GatewayOptions, 'config'> = {},
): Promise<GatewayHarness> {
  const topic = await freshTopic('test-orders', { partitions: 3 });
  const kafka = createKafka({ clientId: 'gateway-test', brokers: testServices.kafkaBrokers, logger });

  const config = parseConfig(gatewayConfigSchema, {
    DATABASE_URL: databaseUrlFromEnv(),
    REDIS_URL: testServices.redisUrl,
    KAFKA_BROKERS: testServices.kafkaBrokers.join(','),
    NATS_URL: testServices.natsUrl,
    AUTH_SECRET: randomBytes(32).toString('hex'),
    ADMIN_TOKEN: randomBytes(24).toString('hex'),
    ORDERS_TOPIC: topic,
    ORDER_WORKER_GROUP: uniqueName('test-workers'),
    NATS_SUBJECT_PREFIX: uniqueName('test'),
    LOG_LEVEL: 'silent',
    SWAGGER_UI: 'false',
    // A test process is busy at start (compiling): its first event-loop samples must not shed requests.
    SHED_EVENT_LOOP_DELAY_MS: '0',
    ...env,
  });
  const app = await buildGateway({ config, logger, ...options });
  await app.ready();
  const sign = createUserTokenSigner(config.AUTH_SECRET);
  const adminHeaders = { authorization: `Bearer ${config.ADMIN_TOKEN}` };
  const saleIds: string[] = [];
  const userIds = new Set<string>();
  const received: OrderRequested[] = [];
  let consumer: Consumer | undefined;
  let appClosed = false;

  async function startConsumer(): Promise<void> {
    consumer = kafka.consumer({ groupId: uniqueName('gateway-test'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push(orderRequestedSchema.parse(JSON.parse(String(message.value))));
      },
    });
  }

  const userToken = (userId: string) => {
    userIds.add(userId);
    return sign(userId);
  };
  return {
    app,
    config,
    userToken,
    buy: (saleId, userId, headers = {}) =>
      app.inject({
        method: 'POST',
        url: `/api/sales/${saleId}/orders`,
        headers: { authorization: `Bearer ${userToken(userId)}`, ...headers },
      }),
    adminHeaders,
    async createSale(patch) {
      const response = await app.inject({ method: 'POST', url: '/api/admin/sales', headers: adminHeaders, payload: saleBody(patch) });
      if (response.statusCode !== 201) throw new Error(`creating a sale answered ${response.statusCode} ${response.body}`);
      const sale = response.json<SaleView>();
      saleIds.push(sale.id);
      return sale;
    },
    async readOrders(count) {
      if (!consumer) await startConsumer();
      return waitFor(() => (received.length >= count ? [...received] : undefined), {
        timeoutMs: 20_000,
        what: `${count} order messages on ${topic}`,
      });
    },
    async countMessages() {
      const offsets = kafka.admin();
      await offsets.connect();
      try {
        const partitions = await offsets.fetchTopicOffsets(topic);
        return partitions.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
      } finally {
        await offsets.disconnect();
      }
    },
    async workersCaughtUp() {
      const offsets = kafka.admin();
      await offsets.connect();
      try {
        const partitions = await offsets.fetchTopicOffsets(topic);
        await offsets.setOffsets({
          groupId: config.ORDER_WORKER_GROUP,
          topic,
          partitions: partitions.map(({ partition, high }) => ({ partition, offset: high })),
        });
      } finally {
        await offsets.disconnect();
      }
    },
    async closeApp() {
      appClosed = true;
      await app.close();
    },
    async close() {
      await consumer?.disconnect();
      if (!appClosed) await app.close();
      const redis = createRedis(config.REDIS_URL);
      // One key per command: the harness also runs on a Redis Cluster, where a command's keys share a slot.
      const saleKeys = await Promise.all(saleIds.map((saleId) => keysMatching(redis, `${redisKeys.saleTag(saleId)}*`)));
      const userKeys = [...userIds].map((userId) => redisKeys.userTickets(userId));
      await Promise.all([...saleKeys.flat(), ...userKeys].map((key) => redis.del(key)));
      await Promise.all(saleIds.map((saleId) => redis.srem(redisKeys.activeSales(), saleId)));
      await redis.quit();
      if (saleIds.length) {
        const prisma = createPrismaClient({ databaseUrl: config.DATABASE_URL });
        await prisma.order.deleteMany({ where: { saleId: { in: saleIds } } });
        await prisma.closedTicket.deleteMany({ where: { saleId: { in: saleIds } } });
        await prisma.sale.deleteMany({ where: { id: { in: saleIds } } });
        await prisma.$disconnect();
      }
      await deleteTopics([topic]).catch(() => undefined);
    },
  };
}
