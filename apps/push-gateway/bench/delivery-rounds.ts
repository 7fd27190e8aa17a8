/**
 * Phase 2 of bench/push.ts: the same events to the same receivers on each side, in alternating
 * rounds; per side, each event's latency from emit (in the emitter) to receipt (here) and the
 * CPU time its server-side processes spent meanwhile.
 */
import { epochNow, roundTicketId, SIDES, type EmitterHandle, type Side } from './emitter-protocol';
import { cpuSeconds } from './proc-stats';
import type { SideUnderTest } from './servers';

const ROUND_TIMEOUT_MS = 30_000;

type CpuGroup = 'nodes' | 'emitter' | 'broker';
const CPU_GROUPS: readonly CpuGroup[] = ['nodes', 'emitter', 'broker'];

export interface SideDeliveries {
  latencies: number[];
  /** CPU seconds during the side's measured rounds. */
  cpu: Record<CpuGroup, number>;
}

/** Routes every ticket a receiver gets to the round waiting for it. */
function createReceipts() {
  let waiting: { arrivedAt: Map<string, number>; expected: Set<string>; complete: () => void } | undefined;
  return {
    onTicket(ticketId: string): void {
      if (!waiting?.expected.delete(ticketId)) return;
      waiting.arrivedAt.set(ticketId, epochNow());
      if (waiting.expected.size === 0) waiting.complete();
    },
    /** Start waiting for `ticketIds` (before they are sent); `done` resolves once all arrived. */
    expect(ticketIds: readonly string[]): { arrivedAt: Map<string, number>; done: Promise<void> } {
      const arrivedAt = new Map<string, number>();
      const done = new Promise<void>((complete) => {
        waiting = { arrivedAt, expected: new Set(ticketIds), complete };
        if (ticketIds.length === 0) complete();
      });
      return { arrivedAt, done };
    },
  };
}

/** CPU seconds used so far by each group of a side's server-side processes. */
function sideCpu(side: SideUnderTest, emitterPid: number): Record<CpuGroup, number> {
  return {
    nodes: side.nodes.reduce((sum, node) => sum + cpuSeconds(node.pid!), 0),
    emitter: cpuSeconds(emitterPid),
    broker: side.broker ? cpuSeconds(side.broker.pid) : 0,
  };
}

export function createDeliveryRounds(options: {
  sides: Record<Side, SideUnderTest>;
  emitter: EmitterHandle;
  receivers: readonly string[];
  ratePerSecond: number;
}) {
  const { sides, emitter, receivers, ratePerSecond } = options;
  const receipts = createReceipts();
  const emptyCpu = (): Record<CpuGroup, number> => ({ nodes: 0, emitter: 0, broker: 0 });
  const results = Object.fromEntries(SIDES.map((side) => [side, { latencies: [], cpu: emptyCpu() }])) as unknown as Record<
    Side,
    SideDeliveries
  >;

  async function measure(side: Side, label: string, count: number): Promise<void> {
    const ticketIds = Array.from({ length: count }, (_, i) => roundTicketId(label, i));
    const arrival = receipts.expect(ticketIds);
    const cpuBefore = sideCpu(sides[side], emitter.pid);
    const sentAt = await emitter.round({ side, label, count, ratePerSecond, receivers });
    const complete = await Promise.race([
      arrival.done.then(() => true),
      new Promise<false>((resolve) => setTimeout(resolve, ROUND_TIMEOUT_MS, false)),
    ]);
    const cpuAfter = sideCpu(sides[side], emitter.pid);
    if (!complete) process.stderr.write(`${label}: ${count - arrival.arrivedAt.size} of ${count} events never arrived\n`);
    for (const group of CPU_GROUPS) results[side].cpu[group] += cpuAfter[group] - cpuBefore[group];
    ticketIds.forEach((ticketId, i) => {
      const arrivedAt = arrival.arrivedAt.get(ticketId);
      if (arrivedAt !== undefined) results[side].latencies.push(arrivedAt - sentAt[i]!);
    });
  }

  return {
    onTicket: receipts.onTicket,
    results,
    /** Unmeasured: `count` events per side, then the figures start from zero. */
    async warmUp(count: number): Promise<void> {
      for (const side of SIDES) await measure(side, `warmup${side}`, count);
      for (const side of SIDES) results[side] = { latencies: [], cpu: emptyCpu() };
    },
    /** Short rounds, each side in turn with the first one rotating, so a stall of this shared machine hits all alike. */
    async run(rounds: number, perRound: number): Promise<void> {
      for (let round = 0; round < rounds; round += 1) {
        for (let turn = 0; turn < SIDES.length; turn += 1) {
          const side = SIDES[(round + turn) % SIDES.length]!;
          await measure(side, `${side}${round}`, perRound);
        }
      }
    },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export function latencySummary(label: string, latencies: readonly number[]): { p50: number; p99: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  if (process.env.BENCH_DEBUG) {
    const at = (p: number) => percentile(sorted, p).toFixed(3);
    process.stderr.write(
      `${label}: p50 ${at(50)} p90 ${at(90)} p95 ${at(95)} p99 ${at(99)} max ${(sorted.at(-1) ?? Number.NaN).toFixed(3)}\n`,
    );
  }
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** Microseconds of CPU per delivery, all groups or one. */
export function cpuPerDeliveryUs(deliveries: SideDeliveries, group?: CpuGroup): number {
  const seconds = group ? deliveries.cpu[group] : CPU_GROUPS.reduce((sum, each) => sum + deliveries.cpu[each], 0);
  return (seconds * 1e6) / deliveries.latencies.length;
}
