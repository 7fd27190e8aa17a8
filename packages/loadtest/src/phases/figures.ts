import { cpus, loadavg } from 'node:os';
import type { ShopperRecord } from '../crowd-shard';
import { answerLabel, refusedButOrdered, slowestAnswer, unfinishedTickets } from '../invariants';
import type { FaultSummary, HerdFigures, LoadtestReport, ReportedFault } from '../report';
import { round, summarize } from '../stats';
import type { Target } from '../target';
import { buildTimeline } from '../timeline';
import type { Checked } from './checks';
import type { RunContext } from './context';
import type { Herd } from './herd';
import type { Resale } from './results';
import type { Crowd } from './shoppers';

export interface RunOutcome {
  startedAt: Date;
  loadAverageAtStart: number[];
  target: Target;
  crowd: Crowd;
  connect: { ms: number; sessionsPerNode: Record<string, number> };
  baseline: HerdFigures | undefined;
  saleId: string;
  herd: Herd;
  resale: Resale;
  shoppers: ShopperRecord[];
  checked: Checked;
}

/** Every figure of the run, the faults, the timeline and the invariants, as the report holds them. */
export function buildReport(run: RunContext, outcome: RunOutcome): LoadtestReport {
  const { options, notes } = run;
  const { target, crowd, herd, shoppers, checked, baseline } = outcome;
  const { snapshot } = checked;
  const { herdAt } = herd;

  const clickToPushed: number[] = [];
  const clickToResult: number[] = [];
  const results: Array<{ t: number; status: string; latencyMs: number }> = [];
  let resultsPushed = 0;
  let resultsByPollingOnly = 0;
  let lastResultAt = 0;
  for (const shopper of shoppers) {
    const ticket = shopper.tickets[0];
    if (!ticket) continue;
    const pushed = firstFinalReceipt(shopper, ticket.ticketId);
    if (pushed) {
      resultsPushed++;
      clickToPushed.push(pushed.at - ticket.clickedAt);
      results.push({ t: pushed.at - herdAt, status: pushed.status, latencyMs: pushed.at - ticket.clickedAt });
    } else if (ticket.result?.via === 'poll') {
      resultsByPollingOnly++;
    }
    if (ticket.result) clickToResult.push(ticket.result.at - ticket.clickedAt);
    lastResultAt = Math.max(lastResultAt, pushed?.at ?? 0, ticket.result?.at ?? 0);
  }
  const clicks = shoppers.flatMap((shopper) => shopper.clicks);
  const purchases = clicks.filter((c) => c.kind === 'buy' || c.kind === 'early');
  const byAnswer = countLabels(purchases.map(answerLabel));
  const byKind = countLabels(herd.answers.map((answer) => answer.tag));
  const firstSoldOut = clicks
    .filter((c) => c.wave === 0 && c.code === 'SOLD_OUT')
    .reduce((min, c) => Math.min(min, c.answeredAt), Infinity);
  const finalStatuses = [...snapshot.storedTickets.values()].map((t) => t.status);
  const faults = reportedFaults(herd, herdAt);
  const timeline = buildTimeline({
    answers: [
      ...purchases.filter((c) => c.wave >= 0).map((c) => ({ t: c.answeredAt - herdAt, label: answerLabel(c) })),
      ...herd.answers
        .filter((a) => a.tag !== 'buy')
        .map((a) => ({ t: a.answeredAt - herdAt, label: `${a.status || 'no answer'} ${a.tag}` })),
    ],
    results,
    faults: faults
      .filter((f) => f.atMs !== undefined)
      .map((f) => ({ name: f.name, from: f.atMs!, ...(f.healedAtMs !== undefined ? { to: f.healedAtMs } : {}) })),
  });
  if (baseline === undefined) notes.push('baseline skipped (--no-baseline)');
  notes.push(
    `click → pushed latency runs from the shopper's SDK call (queueing in the ${options.connections}-connection pool included) to the first final state received on any of the user's sockets`,
    `both herds are fired by the same ${crowd.shards.length} shard(s) with the same pools at one instant; the hello-world is one process, the purchases go to ${target.gatewayUrls.length} gateway(s)`,
  );
  if (byAnswer['200 BAD_RESPONSE']) {
    notes.push(
      `${byAnswer['200 BAD_RESPONSE']} repeat click(s) were answered 200 with the already final ticket; the SDK's buy() rejects that 200 as BAD_RESPONSE`,
    );
  }
  const pressedAgain = clicks.filter((c) => c.attempt > 1).length;
  if (pressedAgain)
    notes.push(
      `${pressedAgain} press(es) again after no answer or a 503 (at most ${options.pressAgain.attempts} per request, the next gateway each time)`,
    );

  const admission = herd.admission;
  return {
    version: 2,
    saleId: outcome.saleId,
    passed: checked.invariants.every((inv) => inv.status !== 'fail'),
    startedAt: outcome.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options: { ...options, runId: run.runId, shards: crowd.shards.length },
    machine: {
      cpus: cpus().length,
      node: process.version,
      loadAverageAtStart: outcome.loadAverageAtStart,
      loadAverageAtEnd: loadavg().map((n) => round(n, 2)),
    },
    target: {
      mode: target.mode,
      ...(target.runMode ? { runMode: target.runMode } : {}),
      gatewayUrls: target.gatewayUrls,
      pushUrls: target.pushUrls,
      ...(target.workers ? { workers: target.workers } : {}),
    },
    figures: {
      users: options.users,
      sessions: checked.crowd.sessions.length,
      stock: options.stock,
      connect: { ...outcome.connect, localAddresses: crowd.localAddresses.map((a) => a ?? '127.0.0.1 (unbound)') },
      requests: { total: herd.answers.length, byKind, byAnswer },
      tickets: {
        accepted: checked.crowd.handedOut.length,
        succeeded: finalStatuses.filter((s) => s === 'SUCCEEDED').length,
        failed: finalStatuses.filter((s) => s === 'FAILED').length,
        cancelled: finalStatuses.filter((s) => s === 'CANCELLED').length,
      },
      cancels: countLabels(shoppers.flatMap((s) => (s.cancel ? [s.cancel.status === 200 ? '200' : answerLabel(s.cancel)] : []))),
      admission,
      baseline,
      ratio: baseline && baseline.reqPerSec > 0 ? round(admission.reqPerSec / baseline.reqPerSec, 3) : undefined,
      endToEnd: { clickToPushed: summarize(clickToPushed), clickToResult: summarize(clickToResult), resultsPushed, resultsByPollingOnly },
      sellOut: {
        firstSoldOutMs: Number.isFinite(firstSoldOut) ? firstSoldOut - herdAt : undefined,
        lastOrderMs: snapshot.lastOrderCreatedAt !== undefined ? snapshot.lastOrderCreatedAt - herdAt : undefined,
        allResultsMs: lastResultAt ? lastResultAt - herdAt : undefined,
      },
      retryWaves: outcome.resale.waves,
      forcedDisconnects: herd.forcedDisconnects,
    },
    invariants: checked.invariants,
    faults: { injected: faults, summary: faultSummary(checked, byAnswerOf(purchases)) },
    timeline,
    notes,
  };
}

const byAnswerOf = (purchases: ReadonlyArray<{ kind: string; status: number; code?: string }>) =>
  countLabels(purchases.filter((c) => c.kind === 'buy').map(answerLabel));

function reportedFaults(herd: Herd, herdAt: number): ReportedFault[] {
  return herd.chaos.all().map((record) => ({
    ...record,
    ...(record.startedAt !== undefined ? { atMs: record.startedAt - herdAt } : {}),
    ...(record.healedAt !== undefined ? { healedAtMs: record.healedAt - herdAt } : {}),
  }));
}

/** The README's row: answers, stuck tickets, leaked stock, refused-but-ordered, slowest answer. */
export function faultSummary(checked: Pick<Checked, 'snapshot' | 'crowd'>, answers: Record<string, number>): FaultSummary {
  const { snapshot, crowd } = checked;
  const live = snapshot.orders.filter((order) => order.status !== 'EXPIRED').length;
  const sale = snapshot.sale;
  return {
    answers,
    stuckTickets: unfinishedTickets(snapshot, crowd).length,
    leakedStock: {
      postgres: sale ? sale.stock + live - sale.initialStock : 0,
      redis: sale && snapshot.redisStockTokens !== undefined ? snapshot.redisStockTokens - sale.stock : undefined,
    },
    refusedButOrdered: refusedButOrdered(snapshot, crowd).length,
    slowestAnswer: slowestAnswer(crowd.attempts),
  };
}

function firstFinalReceipt(shopper: ShopperRecord, ticketId: string): { at: number; status: string } | undefined {
  let first: { at: number; status: string } | undefined;
  for (const session of shopper.sessions) {
    for (const event of session.events) {
      if (event.ticketId !== ticketId || event.status === 'QUEUED') continue;
      if (!first || event.receivedAt < first.at) first = { at: event.receivedAt, status: event.status };
    }
  }
  return first;
}

function countLabels(labels: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}
