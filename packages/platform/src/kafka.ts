import { Kafka, logLevel as KafkaLogLevel, type ISocketFactory, type LogEntry } from 'kafkajs';
import type { Logger } from './logger';

// kafkajs warns on every producer about its v2 default partitioner; we use the default on purpose.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/** kafkajs client whose logs go through our pino logger. */
export function createKafka(options: {
  clientId: string;
  brokers: string[];
  logger: Logger;
  /** How long one request may wait for the broker's answer (kafkajs' default is 30 s). */
  requestTimeoutMs?: number;
  /** Tests: sockets whose traffic they can freeze. */
  socketFactory?: ISocketFactory;
}): Kafka {
  const kafkaLogger = options.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...(options.requestTimeoutMs ? { requestTimeout: options.requestTimeoutMs } : {}),
    ...(options.socketFactory ? { socketFactory: options.socketFactory } : {}),
    logLevel: KafkaLogLevel.WARN,
    retry: { initialRetryTime: 100, retries: 8 },
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        kafkaLogger[levels[level] ?? 'info'](extra, message);
      },
  });
}
