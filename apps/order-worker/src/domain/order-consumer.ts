import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '@seckill/platform';
import type { WorkerMetrics } from '../metrics';
import type { ProcessBatch } from './batch-processor';

export interface OrderConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topic: string;
  processBatch: ProcessBatch;
  metrics: WorkerMetrics;
  logger: Logger;
  sessionTimeoutMs: number;
  maxBytesPerPartition: number;
  partitionsConsumedConcurrently: number;
  /** The consumer crashed with an error kafkajs will not retry: the process should exit. */
  onFatal: (error: Error) => void;
}

/**
 * The consumer-group side: one `processBatch` per partition batch, offsets resolved and
 * committed only after it resolved (database commit, Redis results, NATS flush).
 */
export function createOrderConsumer(options: OrderConsumerOptions) {
  const { kafka, topic, metrics, logger } = options;
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs,
    heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 10)),
    maxBytesPerPartition: options.maxBytesPerPartition,
    maxWaitTimeInMs: 100,
  });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    joined = true;
    logger.info({ memberId: payload.memberId, assignment: payload.memberAssignment }, 'joined the consumer group');
  });
  consumer.on(consumer.events.REBALANCING, () => {
    joined = false;
  });
  consumer.on(consumer.events.STOP, () => {
    joined = false;
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    joined = false;
    logger.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
    if (!payload.restart) options.onFatal(payload.error);
  });

  return {
    get joined(): boolean {
      return joined;
    },
    async start(): Promise<void> {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachBatchAutoResolve: false,
        // With no interval or threshold kafkajs' commitOffsetsIfNecessary never commits by itself.
        autoCommitThreshold: 1,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
        eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
          if (!isRunning() || isStale()) return;
          const stopTimer = metrics.batchSeconds.startTimer();
          await options.processBatch(
            batch.messages.map((message) => ({
              topic: batch.topic,
              partition: batch.partition,
              offset: message.offset,
              key: message.key,
              value: message.value,
              headers: message.headers,
            })),
            heartbeat,
          );
          resolveOffset(batch.lastOffset());
          await commitOffsetsIfNecessary();
          stopTimer();
          metrics.consumerLag.set({ topic: batch.topic, partition: String(batch.partition) }, Number(batch.offsetLag()));
        },
      });
    },
    /** Finishes the batch in hand (kafkajs waits for it), commits, leaves the group. */
    async stop(): Promise<void> {
      await consumer.disconnect();
    },
  };
}
export type OrderConsumer = ReturnType<typeof createOrderConsumer>;
