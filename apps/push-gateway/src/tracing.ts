import { startTracing } from '@seckill/platform/tracing';

/** Imported first by main.ts: with OTLP export configured, the SDK patches pg and ioredis before they load. */
export const tracing = startTracing({ serviceName: 'seckill-push-gateway' });
