import { createKafka, type Logger } from '@seckill/platform';
import fp from 'fastify-plugin';
import type { Producer } from 'kafkajs';
import { createOrderProducer, type OrderProducer } from '../../domain/order-producer';

declare module 'fastify' {
  interface FastifyInstance {
    kafkaProducers: Producer[];
    orderProducer: OrderProducer;
    /** Whether every Kafka producer is connected (for /readyz). */
    isKafkaConnected(): boolean;
  }
}

export interface KafkaPluginOptions {
  brokers: string[];
  topic: string;
  /** Idempotent producers sending batches side by side. */
  producerCount: number;
  lingerMs: number;
  maxBatchMessages: number;
  logger: Logger;
  onBatch?: (size: number, outcome: 'acked' | 'failed') => void;
}

/**
 * Idempotent producers (acks -1, one request in flight each, so retries never duplicate or
 * reorder) behind the batching order producer; on close the pending batch is flushed before disconnecting.
 */
export default fp<KafkaPluginOptions>(
  async (fastify, options) => {
    const kafka = createKafka({ clientId: 'seckill-gateway', brokers: options.brokers, logger: options.logger });
    const connected = new Set<Producer>();
    const producers = Array.from({ length: options.producerCount }, () => {
      // Few retries: a shopper waits for the answer, and a failed send is undone and answered 503.
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 3, initialRetryTime: 100 } });
      producer.on(producer.events.CONNECT, () => connected.add(producer));
      producer.on(producer.events.DISCONNECT, () => connected.delete(producer));
      return producer;
    });
    await Promise.all(producers.map((producer) => producer.connect()));
    const orderProducer = createOrderProducer({
      producers,
      topic: options.topic,
      lingerMs: options.lingerMs,
      maxBatchMessages: options.maxBatchMessages,
      ...(options.onBatch ? { onBatch: options.onBatch } : {}),
    });
    fastify.decorate('kafkaProducers', producers);
    fastify.decorate('orderProducer', orderProducer);
    fastify.decorate('isKafkaConnected', () => connected.size === producers.length);
    // preClose, not onClose: requests still in flight wait for their batch, and close() waits for
    // them. After the flush, messages go out without lingering, so by onClose nothing is pending.
    fastify.addHook('preClose', async () => {
      await orderProducer.flush().catch((err: unknown) => fastify.log.error({ err }, 'flushing the last order batch failed'));
    });
    fastify.addHook('onClose', async () => {
      await Promise.all(producers.map((producer) => producer.disconnect()));
    });
  },
  { name: 'kafka' },
);
