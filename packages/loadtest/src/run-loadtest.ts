import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { createPrismaClient, databaseUrlFromEnv } from '@seckill/db';
import { stackEnv } from '@seckill/devstack';
import { createRedis } from '@seckill/platform';
import type { CrowdShard } from './crowd-shard';
import type { Chaos } from './fault-injector';
import type { LoadtestOptions } from './options';
import { measureBaseline } from './phases/baseline';
import { checkRun } from './phases/checks';
import type { RunContext } from './phases/context';
import { breakTheRun, collectDeliveries } from './phases/delivery';
import { buildReport } from './phases/figures';
import { fireTheHerd, openSale, requireEnv } from './phases/herd';
import { settleAndResell } from './phases/results';
import { connectShoppers, prepareShoppers } from './phases/shoppers';
import { createProgress } from './progress';
import { writeReport, type LoadtestReport } from './report';
import { round } from './stats';
import { plannedUrls, startTarget, type Target } from './target';

export interface LoadtestRun {
  report: LoadtestReport;
  files: string[];
}

/** Faults still running when a run ends get this long to finish before the apps are stopped. */
const FAULTS_SETTLE_MS = 120_000;

/**
 * One run, phase by phase: start the target (and the shoppers meanwhile), connect, baseline,
 * open the sale, the herd (with the faults), results and resale, delivery, checks, report.
 */
export async function runLoadtest(
  options: LoadtestOptions,
  log: (line: string) => void = console.log,
  { handleSignals = false }: { handleSignals?: boolean } = {},
): Promise<LoadtestRun> {
  const startedAt = new Date();
  const loadAverageAtStart = loadavg().map((n) => round(n, 2));
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const run: RunContext = { options, runId, log, progress: createProgress(options.progress), notes: [] };
  const recentAppLines: string[] = [];
  const onAppLine = (name: string, line: string) => {
    if (options.verbose) log(`${name.padEnd(16)} | ${line}`);
    recentAppLines.push(`${name} | ${line}`);
    if (recentAppLines.length > 200) recentAppLines.shift();
  };

  log(
    `loadtest ${runId}: ${options.users} shoppers, stock ${options.stock}, seed ${options.seed}${options.chaos.length ? `, faults ${options.chaos.map((c) => c.text).join(', ')}` : ''}`,
  );
  log(
    options.external
      ? `targeting ${options.gatewayUrls.join(', ')}`
      : `starting ${options.gateways} gateway(s), ${options.workers} worker(s), ${options.pushNodes} push node(s)...`,
  );
  const shards: CrowdShard[] = [];
  let target: Target | undefined;
  let chaos: Chaos | undefined;
  const closers: Array<() => Promise<unknown>> = [];
  const cleanUp = async () => {
    chaos?.cancel();
    await chaos?.settled(FAULTS_SETTLE_MS);
    await Promise.allSettled(shards.map((shard) => shard.close()));
    await Promise.allSettled(closers.map((close) => close()));
    await target?.stop();
  };
  // Ctrl-C or a test's timeout: the apps and the run's own servers must not outlive the run.
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the apps and the run's own servers...`);
    void cleanUp().finally(() => process.exit(130));
  };
  if (handleSignals) for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, onSignal);
  try {
    // The shoppers only need the apps' addresses and secret: they are prepared while the apps start.
    const [started, prepared] = await Promise.allSettled([
      startTarget(options, runId, onAppLine),
      prepareShoppers(run, plannedUrls(options), requireEnv({ ...stackEnv(), ...options.appEnv }, 'AUTH_SECRET'), shards),
    ]);
    if (started.status === 'rejected') throw started.reason;
    target = started.value;
    if (prepared.status === 'rejected') throw prepared.reason;
    const crowd = prepared.value;
    const prisma = createPrismaClient({ databaseUrl: databaseUrlFromEnv(target.env) });
    const redis = createRedis(target.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { name: 'seckill-loadtest' });
    closers.push(
      () => prisma.$disconnect(),
      () => redis.quit(),
    );

    const connect = await connectShoppers(run, crowd);
    const baseline = options.baseline ? await measureBaseline(run, crowd) : undefined;
    const sale = await openSale(run, target, crowd);
    const herd = await fireTheHerd(run, target, crowd, sale, (scheduled) => (chaos = scheduled));
    const resale = await settleAndResell(run, target, crowd, sale, herd);
    // Every fault is over before the state is judged (the report marks one that never healed).
    await herd.chaos.settled(FAULTS_SETTLE_MS);
    const shoppers = await collectDeliveries(run, crowd);
    await breakTheRun(run, shoppers, prisma, sale.saleId);
    // A last look at the sale, as a shopper's page would: a sale Redis lost is loaded again, so
    // its stock tokens can be checked against PostgreSQL.
    await fetch(`${target.gatewayUrls[0]}/api/sales/${sale.saleId}`)
      .then((response) => response.text())
      .catch(() => undefined);
    const checked = await checkRun(run, { prisma, redis, saleId: sale.saleId, shoppers, chaos: herd.chaos });

    const report = buildReport(run, {
      startedAt,
      loadAverageAtStart,
      target,
      crowd,
      connect,
      baseline,
      saleId: sale.saleId,
      herd,
      resale,
      shoppers,
      checked,
    });
    const files = await writeReport(options.out, report);
    return { report, files };
  } catch (error) {
    if (recentAppLines.length && !options.verbose) log(`last lines of the apps:\n${recentAppLines.slice(-30).join('\n')}`);
    throw error;
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, onSignal);
    await cleanUp();
  }
}
