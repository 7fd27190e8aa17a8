import { createKafka, createLogger } from '@seckill/platform';
import { testServices, uniqueName } from '@seckill/platform/testing';

/**
 * Fresh orders topic, dead-letter topic and worker group for one test run, created
 * up front (a worker subscribing to a topic that auto-creation has not finished fails).
 */
export async function freshOrderTopics(prefix: string): Promise<Record<string, string>> {
  const names = {
    ORDERS_TOPIC: uniqueName(`${prefix}-orders`),
    ORDERS_DEAD_LETTER_TOPIC: uniqueName(`${prefix}-orders-dlq`),
    ORDER_WORKER_GROUP: uniqueName(`${prefix}-workers`),
  };
  const admin = createKafka({
    clientId: uniqueName(`${prefix}-admin`),
    brokers: testServices.kafkaBrokers,
    logger: createLogger({ name: 'test-admin', level: 'warn' }),
  }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [
        { topic: names.ORDERS_TOPIC, numPartitions: 4 },
        { topic: names.ORDERS_DEAD_LETTER_TOPIC, numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
  return names;
}
