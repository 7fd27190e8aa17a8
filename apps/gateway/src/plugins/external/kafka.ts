import type { OrderRequested } from '@seckill/contracts';
import { createKafka, type Logger } from '@seckill/platform';
import fp from 'fastify-plugin';
import type { ISocketFactory } from 'kafkajs';
import { createOrderProducer, type OrderProducer } from '../../domain/order-producer';
import type { OrderQueueProgress } from '../../domain/sale-recovery';

declare module 'fastify' {
  interface FastifyInstance {
    orderProducer: OrderProducer;
    orderQueue: OrderQueueProgress;
  }
}

export interface KafkaPluginOptions {
  brokers: string[];
  topic: string;
  /** The order workers' consumer group (how far they are: sale-recovery.ts). */
  workerGroup: string;
  /** Idempotent producers sending batches side by side. */
  producerCount: number;
  lingerMs: number;
  maxBatchMessages: number;
  requestTimeoutMs: number;
  logger: Logger;
  onBatch?: (size: number, outcome: 'acked' | 'failed') => void;
  onDelivered?: (orders: readonly OrderRequested[]) => void;
  /** Tests: sockets they can freeze. */
  socketFactory?: ISocketFactory;
}

/**
 * Idempotent producers (acks -1, one request in flight each, so retries never duplicate or
 * reorder) behind the batching order producer; on close the pending batch is flushed before disconnecting.
 */
export default fp<KafkaPluginOptions>(
  async (fastify, options) => {
    const kafka = createKafka({
      clientId: 'seckill-gateway',
      brokers: options.brokers,
      logger: options.logger,
      requestTimeoutMs: options.requestTimeoutMs,
      ...(options.socketFactory ? { socketFactory: options.socketFactory } : {}),
    });
    // The partition count, for one partition per batch; re-read now and then (partitions can be added).
    const admin = kafka.admin();
    await admin.connect();
    let partitionCount = 0;
    const readPartitions = async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [options.topic] });
      partitionCount = topics[0]?.partitions.length ?? 0;
    };
    await readPartitions();
    const partitionsTimer = setInterval(() => {
      readPartitions().catch((err: unknown) => options.logger.warn({ err }, 'could not re-read the partitions of the orders topic'));
    }, 60_000);
    partitionsTimer.unref();
    const orderProducer = createOrderProducer({
      lanes: options.producerCount,
      // Few retries: a send that fails leaves its tickets in the outbox, which the relay re-sends.
      createProducer: () => kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 3, initialRetryTime: 100 } }),
      topic: options.topic,
      lingerMs: options.lingerMs,
      maxBatchMessages: options.maxBatchMessages,
      partitions: () => partitionCount,
      ...(options.onBatch ? { onBatch: options.onBatch } : {}),
      ...(options.onDelivered ? { onDelivered: options.onDelivered } : {}),
      onProducerReplaced: (err) =>
        options.logger.warn({ err }, 'a Kafka send failed; its producer is replaced and the outbox re-sends its tickets'),
    });
    await orderProducer.connect();
    fastify.decorate('orderProducer', orderProducer);
    const byPartition = (offsets: readonly { partition: number; offset: string }[]) =>
      new Map(offsets.map(({ partition, offset }) => [partition, Number(offset)]));
    fastify.decorate('orderQueue', {
      endOffsets: async () => byPartition(await admin.fetchTopicOffsets(options.topic)),
      committedOffsets: async () => {
        const [topic] = await admin.fetchOffsets({ groupId: options.workerGroup, topics: [options.topic] });
        return byPartition(topic?.partitions ?? []);
      },
    });
    // preClose, not onClose: requests still in flight wait for their batch, and close() waits for
    // them. After the flush, messages go out without lingering, so by onClose nothing is pending.
    fastify.addHook('preClose', async () => {
      await orderProducer.flush().catch((err: unknown) => fastify.log.error({ err }, 'flushing the last order batch failed'));
    });
    fastify.addHook('onClose', async () => {
      clearInterval(partitionsTimer);
      await Promise.all([orderProducer.close(), admin.disconnect()]);
    });
  },
  { name: 'kafka' },
);
