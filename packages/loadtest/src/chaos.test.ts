import { chaosTopologyProblem, CHAOS_FAULTS, ownedServersFor, parseChaosSpec, type ChaosFaultName } from './chaos';

const apps = { external: false, cluster: false, gateways: 2, workers: 2, pushNodes: 2 };

describe('parseChaosSpec', () => {
  const spec = (text: string, fault: ChaosFaultName, atMs: number, seconds: number) => ({ text, fault, atMs, seconds });

  it('fills in the default offset and time out of each fault', () => {
    expect(parseChaosSpec('gateway-kill')).toEqual(spec('gateway-kill', 'gateway-kill', CHAOS_FAULTS['gateway-kill'].atMs, 1));
    expect(parseChaosSpec('redis-restart')).toMatchObject({ fault: 'redis-restart', seconds: 0 });
  });

  it('reads :s and @ms', () => {
    expect(parseChaosSpec('kafka-freeze:8')).toEqual(spec('kafka-freeze:8', 'kafka-freeze', CHAOS_FAULTS['kafka-freeze'].atMs, 8));
    expect(parseChaosSpec(' kafka-freeze:2.5@1200 ')).toEqual(spec('kafka-freeze:2.5@1200', 'kafka-freeze', 1200, 2.5));
    expect(parseChaosSpec('push-kill:4@0')).toMatchObject({ atMs: 0, seconds: 4 });
  });

  it.each([
    ['meteor', /NAME one of gateway-kill/],
    ['kafka-freeze', /needs its duration in seconds: kafka-freeze:<s>/],
    ['nats-freeze:5@-10', /NAME\[:s\]\[@ms\]/],
    ['gateway-kill@soon', /NAME\[:s\]\[@ms\]/],
    ['kafka-freeze:900', /at most 600 s/],
  ])('refuses %p', (text, message) => {
    expect(() => parseChaosSpec(text)).toThrow(message);
  });
});

describe('ownedServersFor', () => {
  it('starts only the servers the faults act on, each once', () => {
    const specs = ['kafka-freeze:3', 'kafka-restart', 'gateway-kill', 'postgres-restart'].map(parseChaosSpec);
    expect(ownedServersFor(specs)).toEqual(['kafka', 'postgres']);
    expect(ownedServersFor([parseChaosSpec('worker-kill')])).toEqual([]);
  });
});

describe('chaosTopologyProblem', () => {
  it('needs two gateways to kill one, two push nodes to kill one, and apps of its own', () => {
    expect(chaosTopologyProblem([parseChaosSpec('gateway-kill')], { ...apps, gateways: 1 })).toBe(
      '--chaos gateway-kill needs --gateways ≥ 2',
    );
    expect(chaosTopologyProblem([parseChaosSpec('push-kill')], { ...apps, pushNodes: 1 })).toBe('--chaos push-kill needs --push-nodes ≥ 2');
    expect(chaosTopologyProblem([parseChaosSpec('worker-kill')], { ...apps, workers: 1 })).toBeUndefined();
    expect(chaosTopologyProblem([parseChaosSpec('redis-restart')], { ...apps, external: true })).toMatch(/not --external/);
    expect(chaosTopologyProblem([], { ...apps, external: true })).toBeUndefined();
  });

  it("kills cluster nodes only with --cluster, where the single servers of the run's own have no place", () => {
    const kills = ['redis-primary-kill', 'kafka-broker-kill', 'nats-node-kill'].map(parseChaosSpec);
    expect(chaosTopologyProblem(kills, apps)).toBe('--chaos redis-primary-kill kills a node of the cluster topology: add --cluster');
    expect(chaosTopologyProblem(kills, { ...apps, cluster: true })).toBeUndefined();
    expect(chaosTopologyProblem([parseChaosSpec('kafka-freeze:5')], { ...apps, cluster: true })).toMatch(/not with --cluster/);
    expect(
      chaosTopologyProblem([parseChaosSpec('postgres-restart'), parseChaosSpec('gateway-kill')], { ...apps, cluster: true }),
    ).toBeUndefined();
    expect(ownedServersFor(kills)).toEqual([]);
  });
});
