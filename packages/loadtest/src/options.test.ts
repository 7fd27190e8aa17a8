import path from 'node:path';
import { parseOptions, UsageError, type LoadtestOptions } from './options';

const parse = (args: string[], env: NodeJS.ProcessEnv = {}) => parseOptions(args, env, new Date('2026-01-02T03:04:05.678Z')) as LoadtestOptions;

describe('parseOptions', () => {
  it('has defaults for a local run on non-default ports', () => {
    const options = parse([]);
    expect(options).toMatchObject({ users: 2000, stock: 100, gateways: 1, workers: 1, pushNodes: 2, external: false, basePort: 14000, faults: [], mode: 'auto' });
    expect(options.out.endsWith(path.join('artifacts', 'loadtest', '2026-01-02T03-04-05-678Z'))).toBe(true);
  });

  it('reads the scale, the crowd shares and one source address per 10k sessions', () => {
    const options = parse(['--users', '20000', '--stock', '1000', '--push-nodes', '3', '--workers', '2', '--cancel', '0.2', '--second-tab', '0.05']);
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
  ])('refuses %p', (args) => {
    expect(() => parse(args)).toThrow(UsageError);
  });

  it('targets a running deployment with --external when the secrets are in the environment', () => {
    const env = { ADMIN_TOKEN: 'a', AUTH_SECRET: 'b', DATABASE_URL: 'postgresql://x', REDIS_URL: 'redis://x' };
    const options = parse(['--external', '--gateway-url', 'http://127.0.0.1:3000', '--push-urls', 'ws://127.0.0.1:3001/ws,ws://127.0.0.1:3002/ws'], env);
    expect(options).toMatchObject({ external: true, gateways: 1, pushNodes: 2 });
    expect(() => parse(['--external', '--gateway-url', 'http://x', '--push-urls', 'ws://y'], {})).toThrow(/ADMIN_TOKEN/);
  });
});
