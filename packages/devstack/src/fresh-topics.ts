import { createKafka, createLogger } from '@seckill/platform';
import { testServices, uniqueName } from '@seckill/platform/testing';

export interface OrderTopics {
  ORDERS_TOPIC: string;
  ORDERS_DEAD_LETTER_TOPIC: string;
  ORDER_WORKER_GROUP: string;
}

interface KafkaOptions {
  /** Default: KAFKA_BROKERS or the local broker. */
  brokers?: string[];
}

async function withAdmin<T>(
  options: KafkaOptions,
  use: (admin: ReturnType<ReturnType<typeof createKafka>['admin']>) => Promise<T>,
): Promise<T> {
  const admin = createKafka({
    clientId: uniqueName('devstack-admin'),
    brokers: options.brokers ?? testServices.kafkaBrokers,
    logger: createLogger({ name: 'devstack-admin', level: 'warn' }),
  }).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * A fresh topic (`prefix` and a unique suffix) of `partitions` partitions (default 4), created up
 * front: a consumer subscribing to a topic that auto-creation has not finished fails.
 */
export async function freshTopic(prefix: string, options: KafkaOptions & { partitions?: number } = {}): Promise<string> {
  const topic = uniqueName(prefix);
  await withAdmin(options, (admin) =>
    admin.createTopics({ topics: [{ topic, numPartitions: options.partitions ?? 4 }], waitForLeaders: true }),
  );
  return topic;
}

/**
 * Fresh orders topic, dead-letter topic and worker group for one run (a test, a load test),
 * created up front like `freshTopic`. Spread the result into the apps' env.
 */
export async function freshOrderTopics(prefix: string, options: KafkaOptions & { partitions?: number } = {}): Promise<OrderTopics> {
  const names: OrderTopics = {
    ORDERS_TOPIC: uniqueName(`${prefix}-orders`),
    ORDERS_DEAD_LETTER_TOPIC: uniqueName(`${prefix}-orders-dlq`),
    ORDER_WORKER_GROUP: uniqueName(`${prefix}-workers`),
  };
  await withAdmin(options, (admin) =>
    admin.createTopics({
      topics: [
        { topic: names.ORDERS_TOPIC, numPartitions: options.partitions ?? 4 },
        { topic: names.ORDERS_DEAD_LETTER_TOPIC, numPartitions: 1 },
      ],
      waitForLeaders: true,
    }),
  );
  return names;
}

/** Delete topics made by `freshTopic` (a run leaves the shared broker as it found it). */
export async function deleteTopics(topics: string[], options: KafkaOptions = {}): Promise<void> {
  await withAdmin(options, (admin) => admin.deleteTopics({ topics, timeout: 5_000 }));
}

/** Delete what `freshOrderTopics` created. */
export async function deleteOrderTopics(names: OrderTopics, options: KafkaOptions = {}): Promise<void> {
  await deleteTopics([names.ORDERS_TOPIC, names.ORDERS_DEAD_LETTER_TOPIC], options);
}
