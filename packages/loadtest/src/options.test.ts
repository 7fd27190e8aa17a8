import path from 'node:path';
import { parseOptions, UsageError, type LoadtestOptions } from './options';

const parse = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  parseOptions(args, env, new Date('2026-01-02T03:04:05.678Z')) as LoadtestOptions;

describe('parseOptions', () => {
  it('has defaults for a local run on non-default ports', () => {
    const options = parse([]);
    expect(options).toMatchObject({
      users: 2000,
      stock: 100,
      gateways: 1,
      workers: 1,
      pushNodes: 2,
      external: false,
      basePort: 14000,
      faults: [],
      mode: 'auto',
      chaos: [],
      appEnv: {},
    });
    expect(options.bounds).toEqual({ answerBoundMs: 3000, settleBoundMs: 60000, admissionTimeoutMs: 1000 });
    expect(options.pressAgain).toEqual({ attempts: 5, patienceMs: 10000 });
    expect(options.out.endsWith(path.join('artifacts', 'loadtest', '2026-01-02T03-04-05-678Z'))).toBe(true);
  });

  it('reads the scale, the crowd shares and one source address per 10k sessions', () => {
    const options = parse([
      '--users',
      '20000',
      '--stock',
      '1000',
      '--push-nodes',
      '3',
      '--workers',
      '2',
      '--cancel',
      '0.2',
      '--second-tab',
      '0.05',
    ]);
    expect(options).toMatchObject({ users: 20_000, stock: 1000, pushNodes: 3, workers: 2, localAddresses: 3 });
    expect(options.shares.cancel).toBe(0.2);
  });

  it('answers help', () => {
    expect(parseOptions(['--help'])).toBe('help');
  });

  it.each([
    [['--users', '0']],
    [['--cancel', '1.5']],
    [['--fault', 'meteor']],
    [['--external']],
    [['--gateway-url', 'http://127.0.0.1:3000']],
    [['--chaos', 'gateway-kill']],
    [['--chaos', 'kafka-freeze']],
    [['--app-env', 'no-equals-sign']],
    [['--chaos', 'redis-primary-kill']],
    [['--cluster', '--chaos', 'nats-freeze:5']],
  ])('refuses %p', (args) => {
    expect(() => parse(args)).toThrow(UsageError);
  });

  it("reads faults (repeated or comma-separated), bounds, the shoppers' patience and extra app environment", () => {
    const options = parse([
      '--gateways',
      '2',
      '--chaos',
      'gateway-kill@40,kafka-freeze:8',
      '--chaos',
      'redis-restart',
      '--answer-bound',
      '5000',
      '--settle-bound',
      '20000',
      '--patience',
      '4000',
      '--presses',
      '3',
      '--app-env',
      'ENQUEUE_DEADLINE_MS=5000',
      '--app-env',
      'OUTBOX_RELAY_AFTER_MS=1000',
    ]);
    expect(options.chaos.map((c) => [c.fault, c.atMs, c.seconds])).toEqual([
      ['gateway-kill', 40, 1],
      ['kafka-freeze', 20, 8],
      ['redis-restart', 200, 0],
    ]);
    expect(options.bounds).toEqual({ answerBoundMs: 5000, settleBoundMs: 20000, admissionTimeoutMs: 1000 });
    expect(options.pressAgain).toEqual({ attempts: 3, patienceMs: 4000 });
    expect(options.appEnv).toEqual({ ENQUEUE_DEADLINE_MS: '5000', OUTBOX_RELAY_AFTER_MS: '1000' });
  });

  it('runs on the cluster topology with --cluster, where the node kills are', () => {
    const options = parse(['--cluster', '--gateways', '2', '--chaos', 'redis-primary-kill,kafka-broker-kill:8,nats-node-kill@500']);
    expect(options.cluster).toBe(true);
    expect(options.chaos.map((c) => [c.fault, c.atMs, c.seconds])).toEqual([
      ['redis-primary-kill', 200, 0],
      ['kafka-broker-kill', 200, 8],
      ['nats-node-kill', 500, 3],
    ]);
    const env = { ADMIN_TOKEN: 'a', AUTH_SECRET: 'b', DATABASE_URL: 'postgresql://x', REDIS_URL: 'redis-cluster://x:1' };
    expect(() => parse(['--cluster', '--external', '--gateway-url', 'http://x', '--push-urls', 'ws://y'], env)).toThrow(
      /with --external, give the apps' addresses/,
    );
  });

  it('targets a running deployment with --external when the secrets are in the environment', () => {
    const env = { ADMIN_TOKEN: 'a', AUTH_SECRET: 'b', DATABASE_URL: 'postgresql://x', REDIS_URL: 'redis://x' };
    const options = parse(
      ['--external', '--gateway-url', 'http://127.0.0.1:3000', '--push-urls', 'ws://127.0.0.1:3001/ws,ws://127.0.0.1:3002/ws'],
      env,
    );
    expect(options).toMatchObject({ external: true, gateways: 1, pushNodes: 2 });
    expect(() => parse(['--external', '--gateway-url', 'http://x', '--push-urls', 'ws://y'], {})).toThrow(/ADMIN_TOKEN/);
  });
});
