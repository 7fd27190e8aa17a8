import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '@seckill/platform';
import { APP_NAMES, configKeys, configSchemas, type AppName } from './apps';
import { schemaProblems } from './kubernetes-schemas';
import { baseObjects, kubectlAvailable, kustomizations, kustomizeBuild, manifestFiles, parseObjects, type KubeObject } from './manifests';

const NAME_LABEL = 'app.kubernetes.io/name';

type Container = {
  name: string;
  ports?: { name?: string; containerPort: number }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { configMapKeyRef?: { name: string; key: string }; secretKeyRef?: { name: string; key: string } };
  }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
};
type Deployment = KubeObject & {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
      spec: { containers: Container[]; terminationGracePeriodSeconds?: number };
    };
  };
};

type Pdb = KubeObject & { spec: { selector: { matchLabels: Record<string, string> } } };

const ofKind = <T extends KubeObject = KubeObject>(objects: readonly KubeObject[], kind: string) =>
  objects.filter((object) => object.kind === kind) as T[];
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/** The orders topic's partitions, as infra creates it (compose.yaml's kafka-init, the same as `infra up`). */
function orderPartitions(): number {
  const compose = readFileSync(path.resolve(__dirname, '../../../infra/compose.yaml'), 'utf8');
  const match = /--topic seckill\.orders --partitions (\d+)/.exec(compose);
  if (!match) throw new Error('infra/compose.yaml does not create seckill.orders with a partition count');
  return Number(match[1]);
}

/** The environment a container gets, resolved from the ConfigMaps and Secrets of the same build. */
function containerEnv(container: Container, objects: readonly KubeObject[]): Record<string, string> {
  const dataOf = (kind: 'ConfigMap' | 'Secret', name: string): Record<string, string> => {
    const found = objects.find((object) => object.kind === kind && object.metadata.name === name) as
      (KubeObject & { data?: Record<string, string>; stringData?: Record<string, string> }) | undefined;
    if (!found) throw new Error(`${container.name} refers to ${kind} ${name}, which is not in the build`);
    const decoded = Object.fromEntries(
      Object.entries(found.data ?? {}).map(([key, value]) => [
        key,
        kind === 'Secret' ? Buffer.from(value, 'base64').toString('utf8') : value,
      ]),
    );
    return { ...decoded, ...(found.stringData ?? {}) };
  };
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, dataOf('ConfigMap', source.configMapRef.name));
    if (source.secretRef) Object.assign(env, dataOf('Secret', source.secretRef.name));
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.configMapKeyRef ?? variable.valueFrom?.secretKeyRef;
    if (!ref) {
      env[variable.name] = variable.value ?? '';
      continue;
    }
    const data = dataOf(variable.valueFrom?.configMapKeyRef ? 'ConfigMap' : 'Secret', ref.name);
    if (!(ref.key in data)) throw new Error(`${container.name}: ${variable.name} refers to key ${ref.key} missing from ${ref.name}`);
    env[variable.name] = data[ref.key]!;
  }
  return env;
}

/** Every reference of a complete build: names, labels and selectors, ports, probes, env against each app's config, drain times, replicas. */
function referenceProblems(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => void (ok || problems.push(problem));
  const deployments = ofKind<Deployment>(objects, 'Deployment');
  const podLabels = (deployment: Deployment) => deployment.spec.template.metadata.labels;
  check(
    deployments
      .map((d) => d.metadata.name)
      .sort()
      .join() === [...APP_NAMES].sort().join(),
    `one Deployment per app (${APP_NAMES.join(', ')})`,
  );

  for (const deployment of deployments) {
    const name = deployment.metadata.name;
    const app = podLabels(deployment)[NAME_LABEL] as AppName;
    check(APP_NAMES.includes(app), `Deployment ${name}: pods labelled ${NAME_LABEL} with an app name`);
    check(selects(deployment.spec.selector.matchLabels, podLabels(deployment)), `Deployment ${name}: its selector matches its pods`);
    const [container] = deployment.spec.template.spec.containers;
    if (!container || !APP_NAMES.includes(app)) continue;
    const http = container.ports?.find((port) => port.name === 'http');
    check(http !== undefined, `Deployment ${name}: a container port named http`);
    check(
      container.readinessProbe?.httpGet?.path === '/readyz' && container.readinessProbe.httpGet.port === 'http',
      `Deployment ${name}: readiness on /readyz, port http`,
    );
    check(
      container.livenessProbe?.httpGet?.path === '/healthz' && container.livenessProbe.httpGet.port === 'http',
      `Deployment ${name}: liveness on /healthz, port http`,
    );
    const annotations = deployment.spec.template.metadata.annotations ?? {};
    check(
      annotations['prometheus.io/scrape'] === 'true' &&
        annotations['prometheus.io/path'] === '/metrics' &&
        Number(annotations['prometheus.io/port']) === http?.containerPort,
      `Deployment ${name}: Prometheus annotations on the http port's /metrics`,
    );

    let env: Record<string, string>;
    try {
      env = containerEnv(container, objects);
    } catch (error) {
      problems.push(`Deployment ${name}: ${(error as Error).message}`);
      continue;
    }
    const known = new Set(configKeys(app));
    const unknown = Object.keys(env).filter((key) => !known.has(key) && !key.startsWith('OTEL_'));
    check(unknown.length === 0, `Deployment ${name}: variables ${app} does not read: ${unknown.join(', ')}`);
    let config: Record<string, unknown> | undefined;
    try {
      config = parseConfig(configSchemas[app], env) as Record<string, unknown>;
    } catch (error) {
      problems.push(`Deployment ${name}: ${app} would not start: ${(error as Error).message}`);
    }
    if (!config) continue;
    check(config.PORT === http?.containerPort, `Deployment ${name}: PORT ${String(config.PORT)} is the http container port`);
    check(config.HOST === '0.0.0.0', `Deployment ${name}: HOST 0.0.0.0 (the apps listen on loopback otherwise)`);
    const preStopCommand = container.lifecycle?.preStop?.exec?.command ?? [];
    const preStopMs = preStopCommand[0] === 'sleep' ? Number(preStopCommand[1]) * 1000 : 0;
    const graceMs = (deployment.spec.template.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    check(
      graceMs > preStopMs + Number(config.SHUTDOWN_TIMEOUT_MS),
      `Deployment ${name}: terminationGracePeriodSeconds ${graceMs / 1000} s must exceed preStop ${preStopMs / 1000} s + SHUTDOWN_TIMEOUT_MS ${Number(config.SHUTDOWN_TIMEOUT_MS) / 1000} s`,
    );
    check(
      ofKind<Pdb>(objects, 'PodDisruptionBudget').some((pdb) => selects(pdb.spec.selector.matchLabels, podLabels(deployment))),
      `Deployment ${name}: a PodDisruptionBudget`,
    );
    if (app === 'web') {
      const gatewayHost = new URL(String(config.GATEWAY_URL)).hostname;
      check(
        ofKind(objects, 'Service').some((service) => service.metadata.name === gatewayHost),
        `Deployment ${name}: GATEWAY_URL names the Service ${gatewayHost}`,
      );
    }
  }

  for (const service of ofKind<KubeObject & { spec: { selector: Record<string, string>; ports: { targetPort: string | number }[] } }>(
    objects,
    'Service',
  )) {
    const targets = deployments.filter((deployment) => selects(service.spec.selector, podLabels(deployment)));
    check(targets.length === 1, `Service ${service.metadata.name}: selects the pods of exactly one Deployment (found ${targets.length})`);
    const ports = targets[0]?.spec.template.spec.containers[0]?.ports ?? [];
    for (const { targetPort } of service.spec.ports) {
      check(
        ports.some((port) => port.name === targetPort || port.containerPort === targetPort),
        `Service ${service.metadata.name}: targetPort ${targetPort} is a container port`,
      );
    }
  }
  for (const pdb of ofKind<Pdb>(objects, 'PodDisruptionBudget')) {
    check(
      deployments.filter((deployment) => selects(pdb.spec.selector.matchLabels, podLabels(deployment))).length === 1,
      `PodDisruptionBudget ${pdb.metadata.name}: selects exactly one Deployment`,
    );
  }
  type Hpa = KubeObject & {
    spec: { scaleTargetRef: { kind: string; name: string }; maxReplicas: number; metrics?: { resource?: { name: string } }[] };
  };
  const hpas = ofKind<Hpa>(objects, 'HorizontalPodAutoscaler');
  for (const hpa of hpas) {
    check(
      hpa.spec.scaleTargetRef.kind === 'Deployment' && deployments.some((d) => d.metadata.name === hpa.spec.scaleTargetRef.name),
      `HorizontalPodAutoscaler ${hpa.metadata.name}: scales a Deployment of the build`,
    );
    check(
      hpa.spec.metrics?.some((metric) => metric.resource?.name === 'cpu') ?? false,
      `HorizontalPodAutoscaler ${hpa.metadata.name}: on CPU`,
    );
  }
  for (const app of ['gateway', 'push-gateway'])
    check(
      hpas.some((hpa) => hpa.spec.scaleTargetRef.name === app),
      `${app}: an HPA on CPU`,
    );
  const worker = deployments.find((deployment) => deployment.metadata.name === 'order-worker');
  const partitions = orderPartitions();
  check(
    (worker?.spec.replicas ?? 1) <= partitions,
    `order-worker: ${worker?.spec.replicas} replicas, more than the ${partitions} partitions of seckill.orders`,
  );
  const workerHpa = hpas.find((hpa) => hpa.spec.scaleTargetRef.name === 'order-worker');
  check(!workerHpa || workerHpa.spec.maxReplicas <= partitions, `order-worker: its HPA may scale past the ${partitions} partitions`);
  return problems;
}

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  it('every manifest file parses and matches the Kubernetes schema of its kind', () => {
    const objects = manifestFiles().flatMap((file) => parseObjects(readFileSync(file, 'utf8'), file));
    expect(objects.length).toBeGreaterThan(15);
    expect(schemaProblems(objects)).toEqual([]);
  });

  it('the bases hold together: every name, selector, port, probe, env key and drain time checks out', () => {
    expect(referenceProblems(baseObjects())).toEqual([]);
  });

  it('finds what is wrong in a broken build', () => {
    const objects = structuredClone(baseObjects());
    const gateway = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === 'gateway') as Deployment;
    const container = gateway.spec.template.spec.containers[0]!;
    container.readinessProbe!.httpGet!.path = '/ready';
    container.env = [...(container.env ?? []), { name: 'ADMIN_TOKN', value: 'x' }];
    container.env = container.env.filter((variable) => variable.name !== 'AUTH_SECRET');
    const web = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === 'web') as Deployment;
    web.spec.template.spec.terminationGracePeriodSeconds = 5;
    (objects.find((object) => object.kind === 'Deployment' && object.metadata.name === 'order-worker') as Deployment).spec.replicas =
      orderPartitions() + 1;
    const problems = referenceProblems(objects).join('\n');
    for (const expected of ['readiness on /readyz', 'ADMIN_TOKN', 'AUTH_SECRET', 'terminationGracePeriodSeconds 5 s', 'more than the'])
      expect(problems).toContain(expected);
    expect(schemaProblems([{ ...gateway, spec: { ...gateway.spec, replicas: 'two' } } as KubeObject])).toEqual([
      expect.stringContaining('replicas must be integer'),
    ]);
  });

  const builds = kustomizations();
  if (!kubectlAvailable) {
    console.warn('kubectl is not installed: the kustomize builds are not checked (the files and the bases are)');
  }
  (kubectlAvailable ? describe : describe.skip)('kubectl kustomize', () => {
    it.each(builds)('%s builds, and every object matches its schema', (dir) => {
      const objects = kustomizeBuild(dir);
      expect(objects.length).toBeGreaterThan(0);
      expect(schemaProblems(objects)).toEqual([]);
    });

    it('the production overlay holds together, in one namespace', () => {
      const objects = kustomizeBuild('overlays/production');
      expect(referenceProblems(objects)).toEqual([]);
      expect(
        new Set(
          objects.filter((object) => object.kind !== 'Namespace').map((object) => (object.metadata as { namespace?: string }).namespace),
        ),
      ).toEqual(new Set(['seckill']));
      const images = ofKind<Deployment>(objects, 'Deployment').map(
        (deployment) => (deployment.spec.template.spec.containers[0] as { image?: string }).image,
      );
      expect(images.every((image) => /^registry\.example\.com\/seckill\/[a-z-]+:1\.0\.0$/.test(image ?? ''))).toBe(true);
    });
  });
});
