import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildChartSpec } from './chart';
import { writeReport, type LoadtestReport } from './report';

function fakeReport(passed: boolean): LoadtestReport {
  const latency = { count: 20, min: 3, p50: 40, p95: 80, p99: 95, max: 99, mean: 42 };
  return {
    version: 2,
    saleId: '00000000-0000-4000-8000-000000000001',
    passed,
    startedAt: '2026-01-01T10:00:00.000Z',
    finishedAt: '2026-01-01T10:00:10.000Z',
    options: { users: 60, stock: 20 },
    machine: { cpus: 2, node: 'v20.20.0', loadAverageAtStart: [1, 1, 1], loadAverageAtEnd: [2, 2, 2] },
    target: { mode: 'devstack', gatewayUrls: ['http://127.0.0.1:14000'], pushUrls: ['ws://127.0.0.1:14001/ws'], workers: 1 },
    figures: {
      users: 60,
      sessions: 62,
      stock: 20,
      connect: { ms: 350, sessionsPerNode: { 'ws://127.0.0.1:14001/ws': 62 }, localAddresses: ['127.0.0.1'] },
      requests: { total: 80, byKind: { buy: 70, malformed: 5, 'bad-token': 5 }, byAnswer: { '202': 24, '410 SOLD_OUT': 46 } },
      tickets: { accepted: 24, succeeded: 20, failed: 0, cancelled: 4 },
      cancels: { '200': 4, '409 TICKET_NOT_CANCELLABLE': 1 },
      admission: { requests: 80, spanMs: 40, reqPerSec: 2000, latency },
      baseline: { requests: 80, spanMs: 10, reqPerSec: 8000, latency },
      ratio: 0.25,
      endToEnd: { clickToPushed: latency, clickToResult: latency, resultsPushed: 24, resultsByPollingOnly: 0 },
      sellOut: { firstSoldOutMs: 12, lastOrderMs: 300, allResultsMs: 320 },
      retryWaves: 1,
      forcedDisconnects: 3,
    },
    invariants: [
      {
        name: 'no-oversell',
        description: 'Orders never exceed the initial stock',
        status: passed ? 'pass' : 'fail',
        details: passed ? '20 ≤ 20' : '21 orders | for 20',
        examples: passed ? undefined : ['order o21'],
      },
      { name: 'exact-sell-out', description: 'Sells out exactly', status: 'skip', details: 'demand below stock' },
    ],
    faults: {
      injected: [
        {
          name: 'kafka-freeze:5@100',
          plannedAtMs: 100,
          startedAt: 1,
          healedAt: 2,
          atMs: 104,
          healedAtMs: 5_104,
          details: ['SIGSTOP kafka (pid 7) at +104 ms', 'SIGCONT at +5104 ms'],
        },
      ],
      summary: {
        answers: { '202 QUEUED': 24, '410 SOLD_OUT': 46, 'no answer (timeout)': 3 },
        stuckTickets: 2,
        leakedStock: { postgres: 2, redis: -1 },
        refusedButOrdered: 1,
        slowestAnswer: { ms: 10_012, label: 'no answer (timeout)' },
      },
    },
    timeline: {
      faults: [{ name: 'kafka-freeze:5@100', from: 104, to: 5_104 }],
      bucketMs: 50,
      points: [
        { chart: 'admissions', series: '202', t: 0, value: 24 },
        { chart: 'admissions', series: '410 SOLD_OUT', t: 50, value: 46 },
        { chart: 'results', series: 'SUCCEEDED', t: 250, value: 20 },
        { chart: 'latency', series: 'p50', t: 250, value: 240 },
      ],
    },
    notes: ['a note'],
  };
}

describe('writeReport', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'loadtest-report-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the JSON report, the markdown summary and the chart', async () => {
    const specs: object[] = [];
    const written = await writeReport(dir, fakeReport(true), {
      renderChart: async (spec) => {
        specs.push(spec);
        return '<svg>chart</svg>';
      },
    });
    expect(written.map((file) => path.basename(file)).sort()).toEqual(['report.json', 'report.md', 'timeline.svg']);
    const json = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as LoadtestReport;
    expect(json.saleId).toBe('00000000-0000-4000-8000-000000000001');
    expect(json.figures.ratio).toBe(0.25);
    const markdown = await readFile(path.join(dir, 'report.md'), 'utf8');
    expect(markdown).toContain('every invariant holds');
    expect(markdown).toContain('| **Ratio admission / hello-world** | **0.25** |');
    expect(markdown).toContain('![admissions, results and latency over time](timeline.svg)');
    expect(markdown).toContain('| kafka-freeze:5@100 | +104 ms | +5,104 ms | SIGSTOP kafka (pid 7) at +104 ms; SIGCONT at +5104 ms |');
    expect(markdown).toContain(
      '| kafka-freeze:5@100 | 202 QUEUED 24, 410 SOLD_OUT 46, no answer (timeout) 3 | 2 | +2; -1 | 1 | 10,012 ms (no answer (timeout)) |',
    );
    expect(await readFile(path.join(dir, 'timeline.svg'), 'utf8')).toBe('<svg>chart</svg>');
    expect(JSON.stringify(specs[0])).toContain('"vconcat"');
  });

  it('marks failed invariants and escapes table cells', async () => {
    await writeReport(dir, fakeReport(false), { renderChart: async () => '<svg/>' });
    const markdown = await readFile(path.join(dir, 'report.md'), 'utf8');
    expect(markdown).toContain('1 invariant(s) FAILED');
    expect(markdown).toContain('| **FAIL** | 21 orders \\| for 20<br>e.g. order o21 |');
  });

  it('says when the run was on the cluster topology', async () => {
    await writeReport(
      dir,
      { ...fakeReport(true), options: { users: 60, stock: 20, cluster: true } },
      { renderChart: async () => '<svg/>' },
    );
    expect(await readFile(path.join(dir, 'report.md'), 'utf8')).toContain('| Servers | the cluster topology of `infra up --cluster`');
  });

  it('still writes the reports when the chart cannot be rendered', async () => {
    const written = await writeReport(dir, fakeReport(true), {
      renderChart: async () => {
        throw new Error('no renderer');
      },
    });
    expect(written.map((file) => path.basename(file)).sort()).toEqual(['report.json', 'report.md']);
    expect(await readFile(path.join(dir, 'report.md'), 'utf8')).toContain('chart not rendered: no renderer');
  });
});

describe('buildChartSpec', () => {
  it('puts admissions, results and latency on three panels over one time axis', () => {
    const spec = buildChartSpec(fakeReport(true).timeline.points, 'sale-1') as {
      vconcat: Array<{ layer: Array<{ transform: Array<{ filter: string }> }> }>;
    };
    expect(spec.vconcat.map((panel) => panel.layer[0]!.transform[0]!.filter)).toEqual([
      "datum.chart === 'admissions'",
      "datum.chart === 'results'",
      "datum.chart === 'latency'",
    ]);
    expect(spec.vconcat[0]!.layer).toHaveLength(1);
  });

  it('shades each fault from its start to its heal on every panel, to the end when it never healed', () => {
    const { timeline } = fakeReport(true);
    const spec = buildChartSpec(timeline.points, 'sale-1', 50, [...timeline.faults, { name: 'redis-restart', from: 200 }]) as {
      vconcat: Array<{ layer: Array<{ mark: { type: string }; data?: { values: Array<{ name: string; from: number; to?: number }> } }> }>;
    };
    for (const panel of spec.vconcat) {
      const shade = panel.layer.find((layer) => layer.mark.type === 'rect');
      expect(shade?.data?.values).toEqual([
        { name: 'kafka-freeze:5@100', from: 104, to: 5_104 },
        { name: 'redis-restart', from: 200, to: 5_104 },
      ]);
    }
  });
});
