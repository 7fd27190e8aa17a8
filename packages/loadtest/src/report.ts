import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildChartSpec, renderChartSvg, type FaultSpan, type TimelinePoint } from './chart';
import type { FaultRecord } from './fault-injector';
import type { InvariantResult } from './invariants';
import type { LatencySummary } from './stats';

export interface HerdFigures {
  requests: number;
  spanMs: number;
  reqPerSec: number;
  latency: LatencySummary | undefined;
}

/** A fault as reported: its record, with its start and heal as ms after the herd's instant. */
export interface ReportedFault extends FaultRecord {
  atMs?: number;
  healedAtMs?: number;
}

/** The run's damage at a glance, one row for the README: what the faults did to the shoppers and the stock. */
export interface FaultSummary {
  /** Every press of every genuine purchase click, by answer. */
  answers: Record<string, number>;
  /** Tickets handed out that never reached a final state (for the SDK, or as stored). */
  stuckTickets: number;
  leakedStock: {
    /** PostgreSQL stock + live orders − initial stock. */
    postgres: number;
    /** Redis tokens − PostgreSQL stock, at rest. */
    redis: number | undefined;
  };
  /** Users never handed a ticket who hold an order row. */
  refusedButOrdered: number;
  slowestAnswer: { ms: number; label: string } | undefined;
}

export interface LoadtestReport {
  version: 2;
  saleId: string;
  passed: boolean;
  startedAt: string;
  finishedAt: string;
  options: Record<string, unknown>;
  /** Numbers are only comparable within one run: what else the machine was doing matters. */
  machine: { cpus: number; node: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  target: { mode: 'devstack' | 'external'; runMode?: 'source' | 'dist'; gatewayUrls: string[]; pushUrls: string[]; workers?: number };
  figures: {
    users: number;
    sessions: number;
    stock: number;
    connect: { ms: number; sessionsPerNode: Record<string, number>; localAddresses: string[] };
    requests: { total: number; byKind: Record<string, number>; byAnswer: Record<string, number> };
    tickets: { accepted: number; succeeded: number; failed: number; cancelled: number };
    /** Cancels sent right after a 202, by answer (200, or 409 TICKET_NOT_CANCELLABLE when the worker was faster). */
    cancels: Record<string, number>;
    /** The herd of purchases, all fired at one instant. */
    admission: HerdFigures;
    /** The same herd machinery against a bare Fastify hello-world, in the same run. */
    baseline: HerdFigures | undefined;
    /** admission req/s ÷ baseline req/s */
    ratio: number | undefined;
    endToEnd: {
      /** Click → first final state received over a WebSocket. */
      clickToPushed: LatencySummary | undefined;
      /** Click → the SDK's result promise settled (push or polling fallback). */
      clickToResult: LatencySummary | undefined;
      resultsPushed: number;
      resultsByPollingOnly: number;
    };
    sellOut: {
      /** Herd start → first SOLD_OUT answer (Redis tokens gone). */
      firstSoldOutMs: number | undefined;
      /** Herd start → the last order row committed in PostgreSQL. */
      lastOrderMs: number | undefined;
      /** Herd start → every accepted ticket's final state received. */
      allResultsMs: number | undefined;
    };
    retryWaves: number;
    forcedDisconnects: number;
  };
  invariants: InvariantResult[];
  /** Faults injected (--chaos) and apps the supervisor restarted, with the run's damage summary. */
  faults: { injected: ReportedFault[]; summary: FaultSummary };
  timeline: { bucketMs: number; points: TimelinePoint[]; faults: FaultSpan[] };
  notes: string[];
}

export const REPORT_FILES = { json: 'report.json', markdown: 'report.md', chart: 'timeline.svg' } as const;

/** Write report.json, report.md and the timeline chart into `dir`; returns the paths written. */
export async function writeReport(
  dir: string,
  report: LoadtestReport,
  options: { renderChart?: (spec: object) => Promise<string> } = {},
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  const jsonPath = path.join(dir, REPORT_FILES.json);
  await writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  written.push(jsonPath);

  let chartNote: string | undefined;
  try {
    const svg = await (options.renderChart ?? renderChartSvg)(
      buildChartSpec(report.timeline.points, report.saleId, report.timeline.bucketMs, report.timeline.faults),
    );
    const chartPath = path.join(dir, REPORT_FILES.chart);
    await writeFile(chartPath, svg);
    written.push(chartPath);
  } catch (error) {
    chartNote = `chart not rendered: ${error instanceof Error ? error.message : String(error)}`;
  }

  const markdownPath = path.join(dir, REPORT_FILES.markdown);
  await writeFile(markdownPath, renderMarkdown(report, chartNote));
  written.push(markdownPath);
  return written;
}

const ms = (value: number | undefined) => (value === undefined ? 'n/a' : `${Math.round(value).toLocaleString('en-US')} ms`);
const num = (value: number | undefined) => (value === undefined ? 'n/a' : value.toLocaleString('en-US'));
const latency = (summary: LatencySummary | undefined) =>
  summary ? `${summary.p50} / ${summary.p95} / ${summary.p99} ms (max ${summary.max}, n=${summary.count})` : 'n/a';

export function renderMarkdown(report: LoadtestReport, chartNote?: string): string {
  const f = report.figures;
  const failed = report.invariants.filter((inv) => inv.status === 'fail');
  const rows: Array<[string, string]> = [
    [
      'Machine',
      `${report.machine.cpus} cores, Node ${report.machine.node}, load average ${report.machine.loadAverageAtStart.join(' ')} at start, ${report.machine.loadAverageAtEnd.join(' ')} at the end`,
    ],
    ['Shoppers (push sessions)', `${num(f.users)} (${num(f.sessions)})`],
    ['Stock', num(f.stock)],
    [
      'Apps',
      `${report.target.gatewayUrls.length} gateway(s), ${report.target.workers ?? '?'} worker(s), ${report.target.pushUrls.length} push node(s) (${report.target.mode === 'external' ? 'external deployment' : `started here, ${report.target.runMode ?? 'source'} mode`})`,
    ],
    ...(report.options.cluster
      ? [
          [
            'Servers',
            'the cluster topology of `infra up --cluster`: Redis Cluster (3 primaries, 3 replicas), 3 Kafka brokers, 3 NATS servers',
          ] as [string, string],
        ]
      : []),
    [
      'Sessions per push node',
      Object.entries(f.connect.sessionsPerNode)
        .map(([url, n]) => `${url.replace(/^ws:\/\//, '')}: ${n}`)
        .join(', '),
    ],
    ['Connect all sessions', ms(f.connect.ms)],
    [
      'Purchase requests in the herd',
      `${num(f.admission.requests)} (${Object.entries(f.requests.byKind)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')})`,
    ],
    [
      'Answers',
      Object.entries(f.requests.byAnswer)
        .map(([k, n]) => `${k} ${n}`)
        .join(', '),
    ],
    ['**Admission throughput**', `**${num(f.admission.reqPerSec)} req/s** (herd answered in ${ms(f.admission.spanMs)})`],
    ['Admission latency p50 / p95 / p99', latency(f.admission.latency)],
    [
      'Bare Fastify hello-world, same herd',
      f.baseline ? `${num(f.baseline.reqPerSec)} req/s (${ms(f.baseline.spanMs)}), p50/p95/p99 ${latency(f.baseline.latency)}` : 'n/a',
    ],
    ['**Ratio admission / hello-world**', f.ratio === undefined ? 'n/a' : `**${f.ratio}**`],
    [
      'Tickets accepted (202)',
      `${num(f.tickets.accepted)}: SUCCEEDED ${f.tickets.succeeded}, FAILED ${f.tickets.failed}, CANCELLED ${f.tickets.cancelled}`,
    ],
    [
      'Cancels while queued, by answer',
      Object.entries(f.cancels)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none',
    ],
    ['**Click → pushed result p50 / p95 / p99**', `**${latency(f.endToEnd.clickToPushed)}**`],
    ['Click → SDK result (push or poll)', latency(f.endToEnd.clickToResult)],
    ['Results pushed / only by polling', `${num(f.endToEnd.resultsPushed)} / ${num(f.endToEnd.resultsByPollingOnly)}`],
    ['First SOLD_OUT answer', ms(f.sellOut.firstSoldOutMs)],
    ['**Time to sell out** (last order committed)', `**${ms(f.sellOut.lastOrderMs)}**`],
    ['Every result delivered', ms(f.sellOut.allResultsMs)],
    ['Resale waves after cancels', num(f.retryWaves)],
    ['Forced disconnects (reconnecting users)', num(f.forcedDisconnects)],
  ];
  const icon = { pass: 'pass', fail: '**FAIL**', skip: 'skip' } as const;
  return [
    `# Seckill load test: ${report.passed ? 'every invariant holds' : `${failed.length} invariant(s) FAILED`}`,
    '',
    `Sale \`${report.saleId}\`, ${report.startedAt} → ${report.finishedAt}.`,
    '',
    '| Figure | Value |',
    '| --- | --- |',
    ...rows.map(([name, value]) => `| ${name} | ${value} |`),
    '',
    '## Invariants (checked in PostgreSQL and Redis directly)',
    '',
    '| Invariant | Result | Details |',
    '| --- | --- | --- |',
    ...report.invariants.map(
      (inv) =>
        `| ${inv.name}: ${inv.description} | ${icon[inv.status]} | ${escapeCell(inv.details)}${inv.examples?.length ? `<br>e.g. ${inv.examples.slice(0, 3).map(escapeCell).join('; ')}` : ''} |`,
    ),
    '',
    ...renderFaults(report),
    '## Timeline',
    '',
    chartNote ? `_${chartNote}_` : `![admissions, results and latency over time](${REPORT_FILES.chart})`,
    '',
    ...(report.notes.length ? ['## Notes', '', ...report.notes.map((note) => `- ${note}`), ''] : []),
  ].join('\n');
}

/** The header and the one row the README pastes into its table of faults. */
export const FAULT_SUMMARY_HEADER = [
  '| Fault | Answers | Stuck tickets | Leaked stock (PostgreSQL; Redis) | Refused but ordered | Slowest answer |',
  '| --- | --- | --- | --- | --- | --- |',
];

export function faultSummaryRow(report: Pick<LoadtestReport, 'faults'>): string {
  const { injected, summary } = report.faults;
  const planned = injected.filter((fault) => fault.plannedAtMs !== undefined).map((fault) => fault.name);
  const leaked = `${signed(summary.leakedStock.postgres)}; ${summary.leakedStock.redis === undefined ? 'n/a' : signed(summary.leakedStock.redis)}`;
  return `| ${planned.join(', ') || 'none'} | ${Object.entries(summary.answers)
    .map(([k, n]) => `${k} ${n}`)
    .join(
      ', ',
    )} | ${summary.stuckTickets} | ${leaked} | ${summary.refusedButOrdered} | ${summary.slowestAnswer ? `${summary.slowestAnswer.ms.toLocaleString('en-US')} ms (${summary.slowestAnswer.label})` : 'n/a'} |`;
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

function renderFaults(report: LoadtestReport): string[] {
  const offset = (value: number | undefined) => (value === undefined ? 'never' : `+${Math.round(value).toLocaleString('en-US')} ms`);
  return [
    '## Faults',
    '',
    ...(report.faults.injected.length
      ? [
          '| Fault | At | Healed at | What happened |',
          '| --- | --- | --- | --- |',
          ...report.faults.injected.map(
            (fault) =>
              `| ${fault.name} | ${offset(fault.atMs)} | ${offset(fault.healedAtMs)} | ${escapeCell(fault.details.join('; '))}${fault.error ? ` **FAILED: ${escapeCell(fault.error)}**` : ''} |`,
          ),
        ]
      : ['No fault injected.']),
    '',
    "Times are after the herd's instant. The summary (answers count every press of every click):",
    '',
    ...FAULT_SUMMARY_HEADER,
    faultSummaryRow(report),
    '',
  ];
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
