import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LoadtestReport } from '../src/report';
import { runCli, runFaultScenario } from './run-cli';

/** `npm run test:cluster` sets it: these runs use (or start) the cluster of `infra up --cluster`, three Kafka JVMs among it. */
const onCluster = process.env.SECKILL_CLUSTER_TESTS === '1' ? describe : describe.skip;

/**
 * A small run on the cluster topology (300 shoppers, 100 items, 2 gateways, 2 workers, 2 push
 * nodes), then the same with one node of each kind SIGKILLed mid-herd: every invariant holds, and
 * the fault is in the report, the markdown and the chart. Short outbox deadlines and group session
 * through --app-env, as in chaos.test.ts.
 */
const scenario = [
  '--cluster --users 300 --stock 100 --gateways 2 --workers 2 --push-nodes 2 --no-baseline',
  '--start-delay 1000 --timeout 90000 --settle-bound 30000 --seed 11 --app-env KAFKA_SESSION_TIMEOUT_MS=6000',
  '--app-env ENQUEUE_DEADLINE_MS=5000 --app-env OUTBOX_RELAY_AFTER_MS=1000',
]
  .join(' ')
  .split(' ');

onCluster('pnpm loadtest --cluster', () => {
  let out: string;
  // Apart from the other tests' ports (13000-18300) and the cluster's (4231-8233, 19092-19194).
  let basePort = 9400;
  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'loadtest-cluster-'));
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });
  const runFault = async (chaos: string) =>
    (await runFaultScenario({ scenario, chaos: [chaos], basePort: (basePort += 400), out, timeoutMs: 230_000 }))[chaos]!;

  it('holds every invariant on the Redis Cluster, three brokers and three NATS servers', async () => {
    const dir = path.join(out, 'none');
    const { code, output } = await runCli([...scenario, '--base-port', String((basePort += 400)), '--out', dir], { timeoutMs: 230_000 });
    const report = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8').catch(() => '{}')) as Partial<LoadtestReport>;
    const failed = (report.invariants ?? []).filter((inv) => inv.status === 'fail').map((inv) => `${inv.name}: ${inv.details}`);
    expect({ code, failed, output: code === 0 ? '' : output.split('\n').slice(-40).join('\n') }).toEqual({
      code: 0,
      failed: [],
      output: '',
    });
    expect(report.options).toMatchObject({ cluster: true });
  }, 240_000);

  it("redis-primary-kill: the primary of the sale's slot SIGKILLed, its replica takes over, the node rejoins as a replica", async () => {
    const fault = await runFault('redis-primary-kill');
    expect(fault.details.join(' ')).toMatch(
      /SIGKILL redis primary 127\.0\.0\.1:(\d+) .*its replica 127\.0\.0\.1:(?!\1)\d+ took the slot over.*started it again \(pid \d+\) as a replica/,
    );
  }, 240_000);

  it("kafka-broker-kill: the workers' group coordinator SIGKILLed, its partitions led by the others, started again", async () => {
    const fault = await runFault('kafka-broker-kill');
    expect(fault.details.join(' ')).toMatch(
      /SIGKILL kafka node \d .*coordinator of the workers' group.*led by the other brokers.*started it again \(pid \d+\)/,
    );
  }, 240_000);

  it('nats-node-kill: the NATS server of the push nodes SIGKILLed, the apps move to the others, started again', async () => {
    const fault = await runFault('nats-node-kill');
    expect(fault.details.join(' ')).toMatch(/SIGKILL nats server .*push-gateway.*started it again \(pid \d+\)/);
  }, 240_000);
});
