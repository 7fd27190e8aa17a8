import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startStack, type Stack } from '@seckill/devstack';
import type { LoadtestReport } from '../src/report';
import { runCli, smallCrowd } from './run-cli';

// The invariants can fail: state corrupted from outside the apps (an order row beyond the
// stock inserted in PostgreSQL, a pushed result lost) must turn the report red and the exit
// code non-zero. This run also covers --external: the apps are started here, not by the CLI.
describe('pnpm loadtest --external against a broken system', () => {
  let out: string;
  let stack: Stack;
  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'loadtest-broken-'));
    stack = await startStack({
      pushNodes: 2,
      basePorts: { gateway: 14800, pushGateway: 14801, worker: 14900 },
      env: { LOG_LEVEL: 'warn', RATE_LIMIT_PER_IP_PER_MIN: '0', HOST: '127.0.0.1' },
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await rm(out, { recursive: true, force: true });
  });

  it('marks the violated invariants failed and exits 1', async () => {
    const { code, output } = await runCliAgainst(stack, ['--base-port', '14850', '--out', out, '--fault', 'extra-order,lost-push']);
    expect({ code, output: code === 1 ? '' : output }).toEqual({ code: 1, output: '' });
    expect(output).toContain('INVARIANTS FAILED');

    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as LoadtestReport;
    expect(report.passed).toBe(false);
    expect(report.target.mode).toBe('external');
    const failed = report.invariants.filter((inv) => inv.status === 'fail').map((inv) => inv.name);
    expect(failed).toEqual(expect.arrayContaining(['no-oversell', 'stock-conserved', 'orders-match-tickets', 'pushed-to-every-session']));
    expect(report.invariants.find((inv) => inv.name === 'no-oversell')?.details).toContain('21 orders for an initial stock of 20');
    // Nothing else is broken: the rest still holds.
    expect(report.invariants.find((inv) => inv.name === 'one-order-per-user')?.status).toBe('pass');
    expect(report.invariants.find((inv) => inv.name === 'no-cross-user-delivery')?.status).toBe('pass');
    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toContain('invariant(s) FAILED');
  }, 180_000);
});

// A deliberately broken build: the gateway's admission script runs without its stock check
// (patched in at load time by a preloaded fixture), so Redis hands out more tickets than
// there is stock. The invariants, read from PostgreSQL and Redis, must catch it.
describe('pnpm loadtest --external against a gateway without its Lua stock check', () => {
  let out: string;
  let stack: Stack;
  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'loadtest-no-stock-check-'));
    stack = await startStack({
      basePorts: { gateway: 14700, pushGateway: 14701, worker: 14750 },
      env: {
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_IP_PER_MIN: '0',
        HOST: '127.0.0.1',
        NODE_OPTIONS: `--require ${path.join(__dirname, 'fixtures/break-stock-check.cjs')}`,
      },
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await rm(out, { recursive: true, force: true });
  });

  it('fails the stock invariants and exits 1', async () => {
    // A queue as large as the crowd, so the queue-capacity check cannot hide the missing stock check.
    const { code, output } = await runCliAgainst(stack, ['--base-port', '14760', '--out', out, '--queue-capacity', '1000']);
    expect({ code, output: code === 1 ? '' : output }).toEqual({ code: 1, output: '' });

    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as LoadtestReport;
    const failed = report.invariants.filter((inv) => inv.status === 'fail').map((inv) => inv.name);
    // PostgreSQL's conditional decrement still refuses every order beyond the stock, but a ticket
    // that fails SOLD_OUT gets no token back (it stood for no item), so the broken build shows as
    // tickets handed out beyond the stock and as Redis tokens below zero, apart from PostgreSQL's.
    expect(failed.sort()).toEqual(['no-oversell', 'no-ticket-beyond-stock', 'redis-tokens-match-db']);
    expect(report.invariants.find((inv) => inv.name === 'no-oversell')?.details).toMatch(/Redis stock tokens are -\d+/);
    expect(report.invariants.find((inv) => inv.name === 'no-ticket-beyond-stock')?.details).toMatch(
      /\d+ ticket\(s\) were handed out and then failed SOLD_OUT/,
    );
  }, 180_000);
});

/** The small crowd, with `--external`, against apps this test started. */
function runCliAgainst(stack: Stack, args: string[]) {
  const { ADMIN_TOKEN, AUTH_SECRET, DATABASE_URL, REDIS_URL } = stack.env;
  return runCli(
    [
      ...smallCrowd,
      '--external',
      '--gateway-url',
      stack.gatewayUrls.join(','),
      '--push-urls',
      stack.pushUrls.join(','),
      '--no-baseline',
      ...args,
    ],
    { env: { ADMIN_TOKEN: ADMIN_TOKEN!, AUTH_SECRET: AUTH_SECRET!, DATABASE_URL: DATABASE_URL!, REDIS_URL: REDIS_URL! } },
  );
}
