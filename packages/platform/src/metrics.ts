import { collectDefaultMetrics, Registry } from 'prom-client';

/** A registry per process (not the global one), with Node's default metrics. */
export function createMetricsRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  return registry;
}
