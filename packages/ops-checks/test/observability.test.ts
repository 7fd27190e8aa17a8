import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createMetricsRegistry, parseConfig } from '@seckill/platform';
import { parse } from 'yaml';
import { APP_NAMES, configSchemas, createGatewayMetrics, createPushMetrics, createWorkerMetrics } from './apps';

const INFRA = path.resolve(__dirname, '../../../infra');
const read = (file: string) => readFileSync(path.join(INFRA, file), 'utf8');

/** Every metric family the apps expose (their own and Node's defaults), from the apps' own registries. */
async function exposedMetricNames(): Promise<Set<string>> {
  const registries = [createMetricsRegistry('gateway'), createMetricsRegistry('order-worker'), createMetricsRegistry('push-gateway')];
  createGatewayMetrics(registries[0]!);
  createWorkerMetrics(registries[1]!);
  createPushMetrics({ registry: registries[2]!, sessionCount: () => 0, subscribedUserCount: () => 0 });
  const names = new Set<string>();
  for (const registry of registries) {
    for (const metric of await registry.getMetricsAsJSON()) {
      names.add(metric.name);
      // A histogram's series in PromQL.
      if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    }
  }
  return names;
}

type Panel = { title: string; type: string; datasource?: { uid: string }; targets?: { expr: string; datasource?: { uid: string } }[] };

describe('Grafana dashboard (infra/observability)', () => {
  const dashboard = JSON.parse(read('observability/grafana/dashboards/seckill-overview.json')) as { uid: string; panels: Panel[] };
  const datasources = parse(read('observability/grafana/provisioning/datasources/prometheus.yml')) as {
    datasources: { uid: string; type: string }[];
  };

  it("queries only metrics the apps expose, named seckill_<app>_... or Node's defaults", async () => {
    const exposed = await exposedMetricNames();
    const queried = dashboard.panels
      .flatMap((panel) => panel.targets ?? [])
      .flatMap(({ expr }) => expr.match(/\b(?:seckill|process|nodejs)_[a-z0-9_]+\b/g) ?? []);
    expect(queried.length).toBeGreaterThan(15);
    expect([...new Set(queried)].filter((name) => !exposed.has(name))).toEqual([]);
    expect([...exposed].filter((name) => !/^(process|nodejs)_/.test(name) && !/^seckill_(gateway|worker|push)_/.test(name))).toEqual([]);
  });

  it('uses the provisioned Prometheus datasource in every panel', () => {
    const prometheus = datasources.datasources.find((source) => source.type === 'prometheus')!;
    const charts = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(
      charts.every(
        (panel) => panel.datasource?.uid === prometheus.uid && panel.targets!.every((target) => target.datasource?.uid === prometheus.uid),
      ),
    ).toBe(true);
  });
});

describe('Prometheus scrape config and the observability profile (infra)', () => {
  const prometheus = parse(read('observability/prometheus.yml')) as {
    scrape_configs: { job_name: string; metrics_path?: string; static_configs?: { targets: string[] }[] }[];
  };
  const compose = parse(read('compose.yaml')) as { services: Record<string, { profiles?: string[]; volumes?: string[] }> };

  it("scrapes every app at its default port's /metrics", () => {
    for (const app of APP_NAMES) {
      const job = prometheus.scrape_configs.find((config) => config.job_name === `seckill-${app}`);
      // The apps' own defaults (PORT), as `npm start` runs them.
      const defaults = parseConfig(configSchemas[app], {
        DATABASE_URL: 'postgresql://x',
        AUTH_SECRET: 'x'.repeat(32),
        ADMIN_TOKEN: 'x'.repeat(16),
      }) as { PORT: number };
      expect({ app, path: job?.metrics_path, first: job?.static_configs?.[0]?.targets[0] }).toEqual({
        app,
        path: '/metrics',
        first: `host.docker.internal:${defaults.PORT}`,
      });
    }
  });

  it('runs Prometheus, Grafana and Jaeger in the observability profile, with files that exist', () => {
    for (const service of ['prometheus', 'grafana', 'jaeger']) expect(compose.services[service]?.profiles).toEqual(['observability']);
    const mounted = ['prometheus', 'grafana']
      .flatMap((service) => compose.services[service]!.volumes ?? [])
      .map((volume) => volume.split(':')[0]!);
    expect(mounted.filter((source) => !existsSync(path.join(INFRA, source)))).toEqual([]);
  });
});
