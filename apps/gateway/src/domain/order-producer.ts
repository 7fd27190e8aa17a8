import { orderMessageKey, type OrderRequested } from '@seckill/contracts';
import type { Message, Producer } from 'kafkajs';

/** Sends order messages to Kafka in batches; each `send` resolves once its batch is acknowledged. */
export interface OrderProducer {
  send(order: OrderRequested): Promise<void>;
  /**
   * Send whatever is pending now and wait until every batch in flight is done; from then on
   * messages go out without lingering (the process is shutting down).
   */
  flush(): Promise<void>;
}

interface PendingMessage {
  message: Message;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Lane {
  send(message: Message): Promise<void>;
  flush(): Promise<void>;
}

/**
 * kafkajs has no linger, so the batching is ours: messages collect for `lingerMs` (or until
 * `maxBatchMessages` are pending) and go out in one produce request. Each producer (lane) has
 * one batch in flight at a time, and what arrives meanwhile forms its next batch, so batches
 * grow with the load. An idempotent producer allows one request in flight, so several lanes
 * are what lets batches overlap; a user always maps to the same lane, which keeps their order.
 */
export function createOrderProducer(options: {
  producers: readonly Pick<Producer, 'send'>[];
  topic: string;
  lingerMs: number;
  maxBatchMessages: number;
  onBatch?: (size: number, outcome: 'acked' | 'failed') => void;
}): OrderProducer {
  if (options.producers.length === 0) throw new Error('createOrderProducer needs at least one producer');
  const lanes = options.producers.map((producer) => createLane(producer));
  let draining = false;

  function createLane(producer: Pick<Producer, 'send'>): Lane {
    const pending: PendingMessage[] = [];
    let timer: NodeJS.Timeout | undefined;
    let inFlight: Promise<void> | undefined;

    function sendPending(): void {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      if (inFlight || pending.length === 0) return;
      const batch = pending.splice(0, options.maxBatchMessages);
      inFlight = producer
        .send({ topic: options.topic, acks: -1, messages: batch.map((entry) => entry.message) })
        .then(
          () => {
            options.onBatch?.(batch.length, 'acked');
            for (const entry of batch) entry.resolve();
          },
          (error: unknown) => {
            options.onBatch?.(batch.length, 'failed');
            for (const entry of batch) entry.reject(error);
          },
        )
        .finally(() => {
          inFlight = undefined;
          if (pending.length > 0) sendPending();
        });
    }

    return {
      send(message) {
        return new Promise<void>((resolve, reject) => {
          pending.push({ message, resolve, reject });
          if (inFlight) return; // the batch in flight sends the next one when it is done
          if (draining || pending.length >= options.maxBatchMessages || options.lingerMs === 0) sendPending();
          else timer ??= setTimeout(sendPending, options.lingerMs);
        });
      },
      async flush() {
        while (pending.length > 0 || inFlight) {
          sendPending();
          await inFlight;
        }
      },
    };
  }

  return {
    send(order) {
      const key = orderMessageKey(order);
      const lane = lanes[laneOf(key, lanes.length)] as Lane;
      return lane.send({ key, value: JSON.stringify(order) });
    },
    async flush() {
      draining = true;
      await Promise.all(lanes.map((lane) => lane.flush()));
    },
  };
}

/** FNV-1a of the key, so one key always takes the same lane. */
export function laneOf(key: string, laneCount: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % laneCount;
}
