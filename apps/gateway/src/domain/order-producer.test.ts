import type { OrderRequested } from '@seckill/contracts';
import type { ProducerRecord } from 'kafkajs';
import { createOrderProducer, laneOf } from './order-producer';

const order = (index: number): OrderRequested => ({
  v: 1,
  ticketId: `sale.${index}`,
  ticketNumber: index,
  saleId: '3f1c2d4e-0000-4000-8000-000000000001',
  userId: `user-${index}`,
  requestedAt: 0,
});

function fakeProducer(options: { fail?: boolean } = {}) {
  const records: ProducerRecord[] = [];
  let release: (() => void) | undefined;
  return {
    records,
    hold() {
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    },
    release: () => release?.(),
    producer: {
      send: async (record: ProducerRecord) => {
        records.push(record);
        if (options.fail) throw new Error('broker down');
        return [];
      },
    },
  };
}

describe('order producer', () => {
  it('sends the messages that arrive within the linger time as one batch, keyed by user', async () => {
    const fake = fakeProducer();
    const sizes: number[] = [];
    const producer = createOrderProducer({ producers: [fake.producer], topic: 't', lingerMs: 5, maxBatchMessages: 100, onBatch: (size) => sizes.push(size) });
    await Promise.all([1, 2, 3].map((index) => producer.send(order(index))));
    expect(fake.records).toHaveLength(1);
    expect(fake.records[0]).toMatchObject({ topic: 't', acks: -1 });
    expect(fake.records[0]!.messages.map((message) => message.key)).toEqual(['user-1', 'user-2', 'user-3']);
    expect(JSON.parse(String(fake.records[0]!.messages[0]!.value))).toEqual(order(1));
    expect(sizes).toEqual([3]);
  });

  it('sends at once when the batch is full, and never more than the maximum per request', async () => {
    const fake = fakeProducer();
    const producer = createOrderProducer({ producers: [fake.producer], topic: 't', lingerMs: 60_000, maxBatchMessages: 2 });
    await Promise.all([1, 2, 3, 4].map((index) => producer.send(order(index))));
    expect(fake.records.map((record) => record.messages.length)).toEqual([2, 2]);
  });

  it('keeps one request in flight and sends what piled up meanwhile as the next batch', async () => {
    const sends: Array<() => void> = [];
    const batches: number[] = [];
    const producer = createOrderProducer({
      producers: [
        {
          send: (record) => {
            batches.push(record.messages.length);
            return new Promise((resolve) => sends.push(() => resolve([])));
          },
        },
      ],
      topic: 't',
      lingerMs: 0,
      maxBatchMessages: 100,
    });
    const first = producer.send(order(1));
    const rest = [2, 3, 4].map((index) => producer.send(order(index)));
    expect(batches).toEqual([1]);
    sends[0]!();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([1, 3]);
    sends[1]!();
    await Promise.all(rest);
  });

  it('rejects every request of a batch the broker did not take', async () => {
    const fake = fakeProducer({ fail: true });
    const producer = createOrderProducer({ producers: [fake.producer], topic: 't', lingerMs: 1, maxBatchMessages: 10 });
    const results = await Promise.allSettled([producer.send(order(1)), producer.send(order(2))]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });

  it('flush sends the pending batch without waiting for the linger time', async () => {
    const fake = fakeProducer();
    const producer = createOrderProducer({ producers: [fake.producer], topic: 't', lingerMs: 60_000, maxBatchMessages: 100 });
    const sent = producer.send(order(1));
    await producer.flush();
    await sent;
    expect(fake.records).toHaveLength(1);
  });
});

describe('lanes', () => {
  it('sends each user\'s messages through the same producer and spreads users over all of them', async () => {
    const fakes = [fakeProducer(), fakeProducer(), fakeProducer()];
    const producer = createOrderProducer({ producers: fakes.map((fake) => fake.producer), topic: 't', lingerMs: 1, maxBatchMessages: 1000 });
    await Promise.all(Array.from({ length: 60 }, (_, index) => producer.send(order(index + 1))));
    for (const [lane, fake] of fakes.entries()) {
      const keys = fake.records.flatMap((record) => record.messages.map((message) => String(message.key)));
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(laneOf(key, 3)).toBe(lane);
    }
  });
});
