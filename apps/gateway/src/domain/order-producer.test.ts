import type { OrderRequested } from '@seckill/contracts';
import type { ProducerRecord } from 'kafkajs';
import { createOrderProducer, laneOf } from './order-producer';

const order = (index: number): OrderRequested => ({
  v: 1,
  ticketId: `sale.1.${index}`,
  ticketNumber: index,
  saleId: '3f1c2d4e-0000-4000-8000-000000000001',
  userId: `user-${index}`,
  requestedAt: 0,
});

/** Producers made by the factory, in order; each records what it sent and whether it was disconnected. */
function fakeFactory(behaviour: { failSends?: number; send?: (record: ProducerRecord) => Promise<unknown> } = {}) {
  let failuresLeft = behaviour.failSends ?? 0;
  const made: Array<{ records: ProducerRecord[]; disconnected: boolean }> = [];
  return {
    made,
    records: () => made.flatMap((producer) => producer.records),
    createProducer: () => {
      const producer = { records: [] as ProducerRecord[], disconnected: false };
      made.push(producer);
      return {
        connect: async () => undefined,
        disconnect: async () => void (producer.disconnected = true),
        send: async (record: ProducerRecord) => {
          producer.records.push(record);
          if (failuresLeft > 0) {
            failuresLeft -= 1;
            throw new Error('request timed out');
          }
          await behaviour.send?.(record);
          return [];
        },
      };
    },
  };
}

type ProducerOptions = Parameters<typeof createOrderProducer>[0];

/** An order producer on the fake's producers: one lane and topic `t` unless told otherwise. */
function producerOn(
  fake: ReturnType<typeof fakeFactory>,
  options: Pick<ProducerOptions, 'lingerMs' | 'maxBatchMessages'> & Partial<ProducerOptions>,
) {
  return createOrderProducer({ lanes: 1, topic: 't', createProducer: fake.createProducer, ...options });
}

describe('order producer', () => {
  it('sends the messages that arrive within the linger time as one batch, keyed by user', async () => {
    const fake = fakeFactory();
    const sizes: number[] = [];
    const delivered: string[] = [];
    const producer = producerOn(fake, {
      lingerMs: 5,
      maxBatchMessages: 100,
      onBatch: (size) => sizes.push(size),
      onDelivered: (orders) => delivered.push(...orders.map((o) => o.ticketId)),
    });
    await producer.connect();
    await Promise.all([1, 2, 3].map((index) => producer.send(order(index))));
    expect(fake.records()).toHaveLength(1);
    expect(fake.records()[0]).toMatchObject({ topic: 't', acks: -1 });
    expect(fake.records()[0]!.messages.map((message) => message.key)).toEqual(['user-1', 'user-2', 'user-3']);
    expect(JSON.parse(String(fake.records()[0]!.messages[0]!.value))).toEqual(order(1));
    expect(sizes).toEqual([3]);
    expect(delivered).toEqual([1, 2, 3].map((index) => order(index).ticketId));
  });

  it('sends at once when the batch is full, and never more than the maximum per request', async () => {
    const fake = fakeFactory();
    const producer = producerOn(fake, { lingerMs: 60_000, maxBatchMessages: 2 });
    await Promise.all([1, 2, 3, 4].map((index) => producer.send(order(index))));
    expect(fake.records().map((record) => record.messages.length)).toEqual([2, 2]);
  });

  it('keeps one request in flight and sends what piled up meanwhile as the next batch', async () => {
    const sends: Array<() => void> = [];
    const batches: number[] = [];
    const fake = fakeFactory({
      send: (record) => {
        batches.push(record.messages.length);
        return new Promise((resolve) => sends.push(() => resolve([])));
      },
    });
    const producer = producerOn(fake, { lingerMs: 0, maxBatchMessages: 100 });
    await producer.connect();
    const first = producer.send(order(1));
    const rest = [2, 3, 4].map((index) => producer.send(order(index)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([1]);
    sends[0]!();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([1, 3]);
    sends[1]!();
    await Promise.all(rest);
  });

  it('sends a ticket pending or in flight only once, however often it is handed in', async () => {
    const fake = fakeFactory();
    const producer = producerOn(fake, { lingerMs: 5, maxBatchMessages: 100 });
    await Promise.all([producer.send(order(1)), producer.send(order(1)), producer.send(order(2))]);
    expect(fake.records().flatMap((record) => record.messages.map((message) => message.key))).toEqual(['user-1', 'user-2']);
    // Once acknowledged it may go again (the outbox relay decides that).
    await producer.send(order(1));
    expect(fake.records()).toHaveLength(2);
  });

  it('rejects every request of a batch the broker did not take, and sends the next batch with a new producer', async () => {
    const fake = fakeFactory({ failSends: 1 });
    const replaced: unknown[] = [];
    const producer = producerOn(fake, { lingerMs: 1, maxBatchMessages: 10, onProducerReplaced: (error) => replaced.push(error) });
    await producer.connect();
    const results = await Promise.allSettled([producer.send(order(1)), producer.send(order(2))]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(replaced).toHaveLength(1);
    await producer.send(order(3));
    // The failed producer's sequence numbers may be out of step with the broker: never used again.
    expect(fake.made.map((made) => [made.records.length, made.disconnected])).toEqual([
      [1, true],
      [1, false],
    ]);
    expect(producer.connected()).toBe(true);
  });

  it('flush sends the pending batch without waiting for the linger time', async () => {
    const fake = fakeFactory();
    const producer = producerOn(fake, { lingerMs: 60_000, maxBatchMessages: 100 });
    const sent = producer.send(order(1));
    await producer.flush();
    await sent;
    expect(fake.records()).toHaveLength(1);
  });

  it('is connected once every lane has a producer', async () => {
    const fake = fakeFactory();
    const producer = producerOn(fake, { lanes: 3, lingerMs: 1, maxBatchMessages: 10 });
    expect(producer.connected()).toBe(false);
    await producer.connect();
    expect([producer.connected(), fake.made.length]).toEqual([true, 3]);
    await producer.close();
    expect([producer.connected(), fake.made.every((made) => made.disconnected)]).toEqual([false, true]);
  });
});

describe('partitions', () => {
  it('sends each batch to one partition, and the next batch of the lane to the next one', async () => {
    const fake = fakeFactory();
    const producer = producerOn(fake, { lingerMs: 0, maxBatchMessages: 2, partitions: () => 3 });
    await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((index) => producer.send(order(index))));
    const partitionsPerBatch = fake.records().map((record) => [...new Set(record.messages.map((message) => message.partition))]);
    expect(partitionsPerBatch.every((partitions) => partitions.length === 1)).toBe(true);
    expect(partitionsPerBatch.flat()).toEqual(partitionsPerBatch.map((_, index) => index % 3));
  });
});

describe('lanes', () => {
  it("sends each user's messages through the same lane and spreads users over all of them", async () => {
    const fake = fakeFactory();
    const producer = producerOn(fake, { lanes: 3, lingerMs: 1, maxBatchMessages: 1000 });
    await producer.connect();
    await Promise.all(Array.from({ length: 60 }, (_, index) => producer.send(order(index + 1))));
    for (const [lane, made] of fake.made.entries()) {
      const keys = made.records.flatMap((record) => record.messages.map((message) => String(message.key)));
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(laneOf(key, 3)).toBe(lane);
    }
  });
});
