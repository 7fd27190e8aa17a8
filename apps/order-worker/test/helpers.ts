import { randomUUID } from 'node:crypto';
import { formatTicketId, orderMessageKey, type OrderRequested, type TicketEvent, type OrderEvent } from '@seckill/contracts';
import { createPrismaClient, databaseUrlFromEnv, type PrismaClient } from '@seckill/db';
import {
  connectNats,
  createKafka,
  createLogger,
  createMetricsRegistry,
  createRedis,
  parseConfig,
  type Logger,
  type NatsConnection,
  type RedisClient,
} from '@seckill/platform';
import { freshOrderTopics } from '@seckill/devstack';
import { testServices, uniqueName } from '@seckill/platform/testing';
import type { Kafka, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import { configSchema, type WorkerConfig } from '../src/config';
import { startOrderWorker, type OrderWorker } from '../src/worker';
import { createRedisState, redisKeys } from '@seckill/redis-state';

export const logger: Logger = createLogger({ name: 'order-worker-test', level: process.env.TEST_LOG_LEVEL ?? 'error' });

/** Connections a test needs besides the worker, opened once per file. */
export async function openTestServices() {
  const prisma = createPrismaClient({ databaseUrl: databaseUrlFromEnv() });
  const redis = createRedis(testServices.redisUrl, { name: 'order-worker-test' });
  const nats = await connectNats({ url: testServices.natsUrl, name: 'order-worker-test' });
  const kafka = createKafka({ clientId: uniqueName('order-worker-test'), brokers: testServices.kafkaBrokers, logger });
  const producer = kafka.producer();
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  return {
    prisma,
    redis,
    nats,
    kafka,
    producer,
    admin,
    async close() {
      await admin.disconnect();
      await producer.disconnect();
      await nats.drain();
      await redis.quit();
      await prisma.$disconnect();
    },
  };
}
export type TestServices = Awaited<ReturnType<typeof openTestServices>>;

/** This file's connections: opened before its first test, closed after its last. */
export function testServicesForFile(): TestServices {
  const services = {} as TestServices;
  beforeAll(async () => {
    Object.assign(services, await openTestServices());
  });
  afterAll(async () => {
    await services.close();
  });
  return services;
}

/** Close functions pushed here run after each test, the last pushed first. */
export function closersAfterEachTest(): Array<() => Promise<void>> {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  return closers;
}

export interface WorkerTopics {
  topic: string;
  deadLetterTopic: string;
  group: string;
}

/** Fresh topic + dead-letter topic + group names for one test. */
export async function freshTopics(partitions = 4): Promise<WorkerTopics> {
  const names = await freshOrderTopics('test', { partitions });
  return { topic: names.ORDERS_TOPIC, deadLetterTopic: names.ORDERS_DEAD_LETTER_TOPIC, group: names.ORDER_WORKER_GROUP };
}

/** A sale as the admin API would create it: a row in PostgreSQL and stock tokens in Redis. */
export async function createSale(services: TestServices, stock: number): Promise<string> {
  const saleId = randomUUID();
  const now = Date.now();
  await services.prisma.sale.create({
    data: {
      id: saleId,
      name: `test sale ${saleId}`,
      stock,
      initialStock: stock,
      queueCapacity: stock * 10,
      startsAt: new Date(now - 60_000),
      endsAt: new Date(now + 3_600_000),
    },
  });
  await createRedisState({ redis: services.redis }).loadSale({
    id: saleId,
    name: `test sale ${saleId}`,
    stock,
    initialStock: stock,
    queueCapacity: stock * 10,
    startsAtMs: now - 60_000,
    endsAtMs: now + 3_600_000,
    epoch: 1,
    ticketNumberFloor: 0,
  });
  return saleId;
}

export type AdmittedTicket = OrderRequested;

/** What the gateway does on a 202: a QUEUED ticket in Redis, then the message on Kafka. */
export async function admit(
  services: TestServices,
  topic: string,
  saleId: string,
  count: number,
  options: { firstNumber?: number; storeTicket?: boolean; produce?: boolean } = {},
): Promise<AdmittedTicket[]> {
  const first = options.firstNumber ?? 1;
  const tickets = Array.from({ length: count }, (_, index): AdmittedTicket => {
    const ticketNumber = first + index;
    return {
      v: 1,
      ticketId: formatTicketId(saleId, ticketNumber),
      ticketNumber,
      saleId,
      userId: uniqueName('u').replace(/[^A-Za-z0-9_-]/g, '_'),
      requestedAt: Date.now(),
    };
  });
  if (options.storeTicket !== false) {
    const pipeline = services.redis.pipeline();
    for (const ticket of tickets) {
      pipeline.hset(redisKeys.ticket(saleId, ticket.ticketId), {
        ticketId: ticket.ticketId,
        saleId,
        userId: ticket.userId,
        ticketNumber: ticket.ticketNumber,
        status: 'QUEUED',
        updatedAt: Date.now(),
      });
      pipeline.expire(redisKeys.ticket(saleId, ticket.ticketId), 3600);
      pipeline.zadd(redisKeys.queuedTickets(saleId), ticket.ticketNumber, ticket.ticketId);
    }
    await pipeline.exec();
  }
  if (options.produce !== false) await produce(services.producer, topic, tickets);
  return tickets;
}

export async function produce(producer: Producer, topic: string, orders: readonly OrderRequested[]): Promise<void> {
  await producer.send({
    topic,
    acks: -1,
    messages: orders.map((order) => ({ key: orderMessageKey(order), value: JSON.stringify(order) })),
  });
}

/** Worker config for a test: fresh names, a short session so a killed member leaves fast. */
export function workerConfig(names: WorkerTopics, overrides: Record<string, string> = {}): WorkerConfig {
  return parseConfig(configSchema, { ...workerEnv(names), ...overrides });
}

export function workerEnv(names: WorkerTopics): Record<string, string> {
  return {
    DATABASE_URL: databaseUrlFromEnv(),
    REDIS_URL: testServices.redisUrl,
    NATS_URL: testServices.natsUrl,
    KAFKA_BROKERS: testServices.kafkaBrokers.join(','),
    ORDERS_TOPIC: names.topic,
    ORDERS_DEAD_LETTER_TOPIC: names.deadLetterTopic,
    ORDER_WORKER_GROUP: names.group,
    WORKER_ID: uniqueName('worker'),
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
  };
}

/** A worker on `names` (`overrides` on top of the test env) for one test, closed with its `closers`. */
export async function startWorkerForTest(closers: Array<() => Promise<void>>, names: WorkerTopics, overrides: Record<string, string> = {}) {
  const config = workerConfig(names, overrides);
  const started = await startTestWorker(config);
  closers.push(() => started.worker.close());
  return { ...started, config };
}

export async function startTestWorker(config: WorkerConfig): Promise<{ worker: OrderWorker; registry: Registry }> {
  const registry = createMetricsRegistry('order-worker-test');
  const worker = await startOrderWorker({ config, logger, registry });
  return { worker, registry };
}

/** Collects every event published on the user subjects of one sale. */
export function collectUserEvents(nats: NatsConnection, saleId: string) {
  const events: (TicketEvent | OrderEvent)[] = [];
  const subscription = nats.subscribe('seckill.users.*.tickets', {
    callback: (_error, message) => {
      const event = JSON.parse(message.string()) as TicketEvent | OrderEvent;
      if (event.saleId === saleId) events.push(event);
    },
  });
  return {
    events,
    ticketEvents: () => events.filter((event): event is TicketEvent => event.type === 'ticket'),
    orderEvents: () => events.filter((event): event is OrderEvent => event.type === 'order'),
    stop: () => subscription.unsubscribe(),
  };
}

export async function saleStock(prisma: PrismaClient, saleId: string): Promise<number> {
  const sale = await prisma.sale.findUniqueOrThrow({ where: { id: saleId } });
  return sale.stock;
}

export type { Kafka, RedisClient };
