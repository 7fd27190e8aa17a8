import type { Producer } from 'kafkajs';

export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  reason: string;
}

/** Header names on a dead-lettered message; the payload is the original key and value, untouched. */
export const deadLetterHeaders = {
  reason: 'x-dead-letter-reason',
  topic: 'x-original-topic',
  partition: 'x-original-partition',
  offset: 'x-original-offset',
} as const;

/** Parks messages the worker cannot process, so they never block their partition. */
export function createDeadLetterPublisher(options: { producer: Producer; topic: string }) {
  return {
    /** Resolves once the broker has every message (acks from all in-sync replicas). */
    async publish(letters: readonly DeadLetter[]): Promise<void> {
      if (letters.length === 0) return;
      await options.producer.send({
        topic: options.topic,
        acks: -1,
        messages: letters.map((letter) => ({
          key: letter.key,
          value: letter.value,
          headers: {
            [deadLetterHeaders.reason]: letter.reason,
            [deadLetterHeaders.topic]: letter.topic,
            [deadLetterHeaders.partition]: String(letter.partition),
            [deadLetterHeaders.offset]: letter.offset,
          },
        })),
      });
    },
  };
}
export type DeadLetterPublisher = ReturnType<typeof createDeadLetterPublisher>;
