import { randomBytes } from 'node:crypto';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { startTracing } from '../tracing/start-tracing';

/** A fresh name per test run, so tests never see each other's topics, keys or groups. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Addresses of the real services the integration tests talk to. */
export const testServices = {
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  kafkaBrokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
};

/** Poll `probe` until it returns something other than undefined, or fail after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'condition'}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

export { createFreezableSockets, type FreezableSockets } from './faulty-sockets';

/** The metric families of a Prometheus text exposition that are not Node's default ones (`process_`, `nodejs_`). */
export function ownMetricNames(exposition: string): string[] {
  const names = [...exposition.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]!);
  return names.filter((name) => !/^(process|nodejs)_/.test(name));
}

/** Record this process's spans in memory (the SDK as when OTLP export is configured, without the export). */
export function startInMemoryTracing(serviceName = 'seckill-test') {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({ serviceName, exporter, instrument: false });
  return { finishedSpans: () => exporter.getFinishedSpans(), reset: () => exporter.reset(), shutdown: () => tracing.shutdown() };
}

export { keysMatching } from './keys-matching';
