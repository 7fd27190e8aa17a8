import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LoadtestReport } from '../src/report';
import { runCli, smallCrowd } from './run-cli';

// The real thing, small: the CLI starts a gateway, a worker and two push nodes, herds
// 60 shoppers at 20 items with every crowd behaviour, and checks PostgreSQL and Redis.
describe('pnpm loadtest on a small crowd', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'loadtest-small-'));
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('sells out exactly, pushes every result to every session and passes every invariant', async () => {
    const { code, output } = await runCli([...smallCrowd, '--workers', '1', '--push-nodes', '2', '--base-port', '14500', '--out', out]);
    expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });

    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as LoadtestReport;
    expect(report.passed).toBe(true);
    expect(report.invariants.filter((inv) => inv.status === 'fail')).toEqual([]);
    expect(report.invariants.find((inv) => inv.name === 'exact-sell-out')?.status).toBe('pass');
    expect(report.saleId).toMatch(/^[0-9a-f-]{36}$/);

    const f = report.figures;
    // Every behaviour really happened.
    expect(f.sessions).toBe(72);
    expect(Object.keys(f.connect.sessionsPerNode)).toHaveLength(2);
    // At least: a press shed with 503 on a busy machine is pressed again, and counted again.
    for (const [kind, count] of Object.entries({ 'bad-token': 6, malformed: 3, 'unknown-sale': 3 })) {
      expect(f.requests.byKind[kind]).toBeGreaterThanOrEqual(count);
    }
    expect(f.forcedDisconnects).toBeGreaterThan(0);
    expect(f.tickets.succeeded).toBe(20);
    // Figures are there.
    expect(f.admission.reqPerSec).toBeGreaterThan(0);
    expect(f.baseline?.reqPerSec).toBeGreaterThan(0);
    expect(f.ratio).toBeGreaterThan(0);
    expect(f.endToEnd.clickToPushed?.count).toBeGreaterThanOrEqual(20);
    expect(f.sellOut.lastOrderMs).toBeGreaterThan(0);

    expect(await readFile(path.join(out, 'report.md'), 'utf8')).toContain('every invariant holds');
    expect((await readFile(path.join(out, 'timeline.svg'), 'utf8')).startsWith('<svg')).toBe(true);
  }, 180_000);
});
