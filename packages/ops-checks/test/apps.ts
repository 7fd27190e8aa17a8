// The apps' own config schemas and metrics, read by the checks below. Imported by path: these
// checks look at what the apps would accept, without the apps depending on them.
import { gatewayConfigSchema } from '../../../apps/gateway/src/config';
import { configSchema as workerConfigSchema } from '../../../apps/order-worker/src/config';
import { configSchema as pushConfigSchema } from '../../../apps/push-gateway/src/config';
import { configSchema as webConfigSchema } from '../../../apps/web/src/config';

export { createGatewayMetrics } from '../../../apps/gateway/src/domain/metrics';
export { createWorkerMetrics } from '../../../apps/order-worker/src/metrics';
export { createPushMetrics } from '../../../apps/push-gateway/src/domain/push-metrics';

export const APP_NAMES = ['gateway', 'order-worker', 'push-gateway', 'web'] as const;
export type AppName = (typeof APP_NAMES)[number];

export const configSchemas = {
  gateway: gatewayConfigSchema,
  'order-worker': workerConfigSchema,
  'push-gateway': pushConfigSchema,
  web: webConfigSchema,
} as const;

/** The variables an app reads (its config schema's keys). */
export function configKeys(app: AppName): string[] {
  return Object.keys(configSchemas[app].shape);
}
