import type { OrderRequested } from '@seckill/contracts';
import { deleteTopics, freshTopic } from '@seckill/devstack';
import { createKafka, createLogger } from '@seckill/platform';
import { createFreezableSockets, testServices, uniqueName, waitFor } from '@seckill/platform/testing';
import { Kafka } from 'kafkajs';
import { createOrderProducer } from '../src/domain/order-producer';

const logger = createLogger({ name: 'order-producer-test', level: 'silent' });
const saleId = '3f1c2d4e-0000-4000-8000-000000000001';
const order = (index: number): OrderRequested => ({
  v: 1,
  ticketId: `${saleId}.${index}`,
  ticketNumber: index,
  saleId,
  userId: `user-${index}`,
  requestedAt: 0,
});

// kafkajs rolls an idempotent producer's sequence numbers back when a send fails for good;
// the broker may already hold that batch, so the next batch reusing its numbers is taken for a
// duplicate (acknowledged, never written) or refused OUT_OF_ORDER_SEQUENCE_NUMBER forever.
describe('order producer on a real broker whose answers were lost', () => {
  let topic: string;
  const plain = createKafka({ clientId: uniqueName('producer-seq-admin'), brokers: testServices.kafkaBrokers, logger });

  beforeAll(async () => {
    topic = await freshTopic('producer-seq', { partitions: 1 });
  });
  afterAll(async () => {
    await deleteTopics([topic]).catch(() => undefined);
  });

  async function messagesOnTopic(count: number): Promise<string[]> {
    const consumer = plain.consumer({ groupId: uniqueName('producer-seq-reader'), maxWaitTimeInMs: 100 });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void seen.push((JSON.parse(String(message.value)) as OrderRequested).ticketId),
    });
    try {
      await waitFor(() => (seen.length >= count ? true : undefined), { timeoutMs: 8_000, what: `${count} messages` }).catch(
        () => undefined,
      );
      return [...seen].sort();
    } finally {
      await consumer.disconnect();
    }
  }

  it('writes the batch sent after a failed one, instead of losing it as a duplicate', async () => {
    const sockets = createFreezableSockets();
    const kafka = new Kafka({
      clientId: uniqueName('producer-seq'),
      brokers: testServices.kafkaBrokers,
      requestTimeout: 1_000,
      socketFactory: sockets.socketFactory,
      logLevel: 0,
    });
    const orders = createOrderProducer({
      lanes: 1,
      createProducer: () => kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 3, initialRetryTime: 100 } }),
      topic,
      lingerMs: 0,
      maxBatchMessages: 100,
    });
    await orders.connect();
    try {
      sockets.freeze('delivered');
      await expect(orders.send(order(1))).rejects.toThrow();
      sockets.thaw();
      // The same shape of batch: the broker's duplicate check matches it against the first one.
      await orders.send(order(2)).catch(() => undefined);
      await orders.send(order(3)).catch(() => undefined);
      expect(await messagesOnTopic(3)).toEqual([order(1), order(2), order(3)].map((o) => o.ticketId));
    } finally {
      await orders.close();
    }
  }, 60_000);
});
