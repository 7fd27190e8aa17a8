import { orderMessageKey, type OrderRequested } from '@seckill/contracts';
import { endSpan, SpanKind, startSpan, traceHeaders, type Span } from '@seckill/platform';
import type { Producer } from 'kafkajs';

/** Sends order messages to Kafka in batches; each `send` resolves once its batch is acknowledged. */
export interface OrderProducer {
  /** A ticket already pending or in flight in this process is not sent twice: its send is shared. */
  send(order: OrderRequested): Promise<void>;
  /**
   * Send whatever is pending now and wait until every batch in flight is done; from then on
   * messages go out without lingering (the process is shutting down).
   */
  flush(): Promise<void>;
  /** Connect every lane's producer up front (a gateway starts only once Kafka answers). */
  connect(): Promise<void>;
  /** Every lane has a connected producer (for /readyz). */
  connected(): boolean;
  /** Disconnect every producer. */
  close(): Promise<void>;
}

export type LaneProducer = Pick<Producer, 'connect' | 'disconnect' | 'send'>;

interface PendingMessage {
  order: OrderRequested;
  /** This message's send, a child of the purchase's span; its context travels in the message headers. */
  span: Span | undefined;
  done: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * kafkajs has no linger, so the batching is ours: messages collect for `lingerMs` (or until
 * `maxBatchMessages` are pending) and go out in one produce request. Each lane has one batch in
 * flight at a time, and what arrives meanwhile forms its next batch, so batches grow with the
 * load. An idempotent producer allows one request in flight, so several lanes are what lets
 * batches overlap; a user always maps to the same lane, which keeps their order.
 *
 * Each batch goes to ONE partition, the next one for the lane's next batch (sticky and rotating,
 * like the Java client's default partitioner): a produce request then carries one record batch
 * instead of one per partition its users hash to, and every partition, so every worker, still
 * gets its share. A ticket's order does not depend on its partition: the worker is idempotent.
 *
 * A lane whose send failed replaces its producer before sending again: kafkajs rolls an
 * idempotent producer's sequence numbers back on a failed send, but the broker may hold that
 * batch, so the next batch would be taken for a duplicate (acknowledged, never written) or
 * refused out of sequence until a restart. A new producer gets a new producer id.
 */
export function createOrderProducer(options: {
  lanes: number;
  createProducer: () => LaneProducer;
  topic: string;
  lingerMs: number;
  maxBatchMessages: number;
  /** The topic's partition count (0 while unknown: kafkajs then hashes the keys). */
  partitions?: () => number;
  onBatch?: (size: number, outcome: 'acked' | 'failed') => void;
  /** Kafka acknowledged these orders (the outbox can let them go). */
  onDelivered?: (orders: readonly OrderRequested[]) => void;
  onProducerReplaced?: (error: unknown) => void;
}): OrderProducer {
  if (options.lanes < 1) throw new Error('createOrderProducer needs at least one lane');
  const lanes = Array.from({ length: options.lanes }, (_, index) => createLane(index));
  let draining = false;

  function createLane(laneIndex: number) {
    const pending: PendingMessage[] = [];
    let batches = laneIndex; // lanes start on different partitions
    const byTicket = new Map<string, PendingMessage>();
    let timer: NodeJS.Timeout | undefined;
    let inFlight: Promise<void> | undefined;
    let producer: LaneProducer | undefined;
    let connecting: Promise<LaneProducer> | undefined;

    function connected(): Promise<LaneProducer> {
      if (producer) return Promise.resolve(producer);
      connecting ??= (async () => {
        const fresh = options.createProducer();
        try {
          await fresh.connect();
        } catch (error) {
          await fresh.disconnect().catch(() => undefined);
          throw error;
        } finally {
          connecting = undefined;
        }
        producer = fresh;
        return fresh;
      })();
      return connecting;
    }

    function replaceProducer(error: unknown): void {
      const failed = producer;
      producer = undefined;
      options.onProducerReplaced?.(error);
      void failed?.disconnect().catch(() => undefined);
      // Reconnect now, so readiness tells whether Kafka is back before the next order arrives.
      connected().catch(() => undefined);
    }

    function sendPending(): void {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      if (inFlight || pending.length === 0) return;
      const batch = pending.splice(0, options.maxBatchMessages);
      const partitionCount = options.partitions?.() ?? 0;
      const partition = partitionCount > 0 ? batches % partitionCount : undefined;
      batches += 1;
      const settle = () => {
        for (const entry of batch) byTicket.delete(entry.order.ticketId);
      };
      inFlight = connected()
        .then((current) =>
          current.send({
            topic: options.topic,
            acks: -1,
            messages: batch.map(({ order, span }) => ({
              key: orderMessageKey(order),
              value: JSON.stringify(order),
              ...(span ? { headers: traceHeaders(span) } : {}),
              ...(partition === undefined ? {} : { partition }),
            })),
          }),
        )
        .then(
          () => {
            settle();
            options.onBatch?.(batch.length, 'acked');
            options.onDelivered?.(batch.map((entry) => entry.order));
            for (const entry of batch) {
              endSpan(entry.span);
              entry.resolve();
            }
          },
          (error: unknown) => {
            settle();
            options.onBatch?.(batch.length, 'failed');
            if (producer) replaceProducer(error);
            for (const entry of batch) {
              endSpan(entry.span, error);
              entry.reject(error);
            }
          },
        )
        .finally(() => {
          inFlight = undefined;
          if (pending.length > 0) sendPending();
        });
    }

    return {
      send(order: OrderRequested): Promise<void> {
        const known = byTicket.get(order.ticketId);
        if (known) return known.done;
        let resolve!: () => void;
        let reject!: (error: unknown) => void;
        const done = new Promise<void>((res, rej) => {
          resolve = res;
          reject = rej;
        });
        const span = startSpan(`${options.topic} send`, {
          kind: SpanKind.PRODUCER,
          attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': options.topic, 'seckill.ticket_id': order.ticketId },
        });
        const entry = { order, span, done, resolve, reject };
        byTicket.set(order.ticketId, entry);
        pending.push(entry);
        if (inFlight) return done; // the batch in flight sends the next one when it is done
        if (draining || pending.length >= options.maxBatchMessages || options.lingerMs === 0) sendPending();
        else timer ??= setTimeout(sendPending, options.lingerMs);
        return done;
      },
      async flush(): Promise<void> {
        while (pending.length > 0 || inFlight) {
          sendPending();
          await inFlight;
        }
      },
      isConnected: () => producer !== undefined,
      connect: () => connected().then(() => undefined),
      async close(): Promise<void> {
        clearTimeout(timer);
        await connecting?.catch(() => undefined);
        await producer?.disconnect();
        producer = undefined;
      },
    };
  }

  return {
    send(order) {
      return lanes[laneOf(orderMessageKey(order), lanes.length)]!.send(order);
    },
    async flush() {
      draining = true;
      await Promise.all(lanes.map((lane) => lane.flush()));
    },
    async connect() {
      await Promise.all(lanes.map((lane) => lane.connect()));
    },
    connected: () => lanes.every((lane) => lane.isConnected()),
    async close() {
      await Promise.all(lanes.map((lane) => lane.close()));
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
