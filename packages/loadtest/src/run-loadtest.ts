import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { createPrismaClient } from '@seckill/db';
import { createRedis, createUserTokenSigner } from '@seckill/platform';
import { assignBehaviours, seededRandom } from './crowd';
import { sleep, type Answer, type CrowdShard, type ShopperRecord, type ShopperSpec } from './crowd-shard';
import { checkInvariants, type CrowdObservations, type RefusedKind } from './invariants';
import type { LoadtestOptions } from './options';
import { createProgress, type PhaseBar } from './progress';
import { writeReport, type HerdFigures, type LoadtestReport } from './report';
import { startShard } from './shard-handle';
import { readSnapshot } from './state-snapshot';
import { ratePerSecond, round, summarize } from './stats';
import { startHelloWorld, startTarget } from './target';
import { buildTimeline } from './timeline';

export interface LoadtestRun {
  report: LoadtestReport;
  files: string[];
}

/** After a sell-out each gateway answers 410 from memory for a moment (SOLD_OUT_MEMORY_MS, 1 s by default). */
const RESALE_DELAY_MS = 1_500;
/** How long connected sessions get to receive a result the SDK already settled (another tab, a reconnect). */
const DELIVERY_GRACE_MS = 10_000;
/** A click this long before the sale opens must be refused with 403. */
const EARLY_CLICK_MS = 1_000;
/** Shards wait for a common instant this far ahead, so every shard's herd leaves together. */
const SYNC_MARGIN_MS = 300;

export async function runLoadtest(options: LoadtestOptions, log: (line: string) => void = console.log): Promise<LoadtestRun> {
  const startedAt = new Date();
  const loadAverageAtStart = loadavg().map((n) => round(n, 2));
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const progress = createProgress(options.progress);
  const notes: string[] = [];
  const recentAppLines: string[] = [];

  log(`loadtest ${runId}: ${options.users} shoppers, stock ${options.stock}, seed ${options.seed}`);
  log(options.external ? `targeting ${options.gatewayUrls.join(', ')}` : `starting ${options.gateways} gateway(s), ${options.workers} worker(s), ${options.pushNodes} push node(s)...`);
  const target = await startTarget(options, runId, (name, line) => {
    if (options.verbose) log(`${name.padEnd(16)} | ${line}`);
    recentAppLines.push(`${name} | ${line}`);
    if (recentAppLines.length > 200) recentAppLines.shift();
  });
  const env = target.env;
  const prisma = createPrismaClient({ databaseUrl: env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/seckill' });
  const redis = createRedis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { name: 'seckill-loadtest' });
  const shards: CrowdShard[] = [];

  try {
    const authSecret = requireEnv(env, 'AUTH_SECRET');
    const adminToken = requireEnv(env, 'ADMIN_TOKEN');
    const sign = createUserTokenSigner(authSecret, { expiresInMs: 4 * 3_600_000 });
    const forge = createUserTokenSigner(`not-the-secret-${randomBytes(24).toString('hex')}`);
    const signExpired = createUserTokenSigner(authSecret, { expiresInMs: 1 });
    const behaviours = assignBehaviours(options.users, options.shares, seededRandom(options.seed));

    // 1. Shoppers, split over shards (a process may hold at most 20k open files here).
    const shardCount = Math.max(1, options.shards);
    const specs: ShopperSpec[][] = Array.from({ length: shardCount }, () => []);
    let sessionIndex = 0;
    let badTokens = 0;
    let malformed = 0;
    for (let i = 0; i < options.users; i++) {
      const behaviour = behaviours[i]!;
      const userId = `lt-${runId}-${i}`;
      const variant = badTokens % 3;
      if (behaviour.badToken) badTokens++;
      // Alternately a broken JSON body (400) and a sale that does not exist (404).
      const malformedKind = malformed % 2 === 0 ? 'malformed' : 'unknown-sale';
      if (behaviour.malformed) malformed++;
      specs[i % shardCount]!.push({
        userId,
        token: sign(userId),
        gatewayUrl: target.gatewayUrls[i % target.gatewayUrls.length]!,
        behaviour,
        firstNode: sessionIndex,
        ...(behaviour.malformed ? { malformed: malformedKind } : {}),
        ...(behaviour.badToken ? { badToken: variant === 0 ? forge(userId) : variant === 1 ? signExpired(userId) : 'not-a-jwt' } : {}),
      });
      sessionIndex += behaviour.secondTab ? 2 : 1;
    }
    const localAddresses = options.localAddresses > 1 ? Array.from({ length: options.localAddresses }, (_, i) => `127.0.0.${i + 1}`) : [undefined];
    const connectionsPerShard = Math.max(1, Math.ceil(options.connections / shardCount));
    for (let shard = 0; shard < shardCount; shard++) {
      shards.push(
        await startShard(
          {
            shard,
            shoppers: specs[shard]!,
            pushUrls: target.pushUrls,
            // Each shard starts on another address so the addresses fill evenly.
            localAddresses: localAddresses.map((_, i) => localAddresses[(i + shard) % localAddresses.length]),
            connections: connectionsPerShard,
            timeoutMs: options.timeoutMs,
          },
          options.shards === 0,
        ),
      );
    }

    // 2. Connect every session, spread over the push nodes.
    const connectStarted = Date.now();
    const connectBar = progress('connecting shoppers', sessionIndex);
    const connected = await withProgress(
      () => Promise.all(shards.map((shard) => shard.connect())),
      async () => connectBar.update(sum(await Promise.all(shards.map((shard) => shard.progress())), (p) => p.ready)),
      connectBar,
    );
    const connectMs = Date.now() - connectStarted;
    const sessionsPerNode: Record<string, number> = {};
    for (const part of connected) for (const [node, n] of Object.entries(part.sessionsPerNode)) sessionsPerNode[node] = (sessionsPerNode[node] ?? 0) + n;
    log(`${sessionIndex} sessions ready in ${connectMs} ms over ${shardCount} shard(s): ${Object.entries(sessionsPerNode).map(([url, n]) => `${url} ${n}`).join(', ')}`);

    // 3. Baseline: the same herd machinery (shards, pools, instant) against a bare Fastify hello-world.
    const herdSizes = specs.map((part) => sum(part, (s) => s.behaviour.clicks + (s.behaviour.malformed ? 1 : 0) + (s.badToken !== undefined ? 1 : 0)));
    let baseline: HerdFigures | undefined;
    if (options.baseline) {
      const hello = await startHelloWorld(options.basePort + 90);
      try {
        const at = Date.now() + SYNC_MARGIN_MS + 200;
        const answers = (
          await Promise.all(shards.map((shard, i) => shard.fireHello({ url: hello.url, count: herdSizes[i]!, at, warmup: connectionsPerShard })))
        ).flat();
        baseline = herdFigures(answers, at);
        log(`baseline: bare Fastify hello-world answered ${answers.length} requests at ${baseline.reqPerSec} req/s`);
      } finally {
        await hello.stop();
      }
    }

    // 4. The sale opens shortly; warm the pools' connections to every gateway meanwhile.
    const startsAt = Date.now() + options.startDelayMs;
    const saleId = await createSale(target.gatewayUrls[0]!, adminToken, {
      name: `loadtest ${runId}`,
      stock: options.stock,
      ...(options.queueCapacity === undefined ? {} : { queueCapacity: options.queueCapacity }),
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(startsAt + Math.max(3_600_000, options.timeoutMs * 2)).toISOString(),
    });
    log(`sale ${saleId}: ${options.stock} items, opens in ${options.startDelayMs} ms`);
    await Promise.all(shards.map((shard) => shard.warmup({ urls: target.gatewayUrls.map((url) => `${url}/api/sales/${saleId}`) })));

    // 5. A few eager shoppers click before the start: 403 SALE_NOT_ACTIVE.
    await sleep(Math.max(0, startsAt - EARLY_CLICK_MS - Date.now()));
    const earlyAnswers = (await Promise.all(shards.map((shard) => shard.fireEarly({ saleId })))).flat();

    // 6. The thundering herd: every click, malformed request and bad token of every shard at one instant.
    log(`firing ${sum(herdSizes, (n) => n)} requests at once...`);
    const herdAt = Math.max(startsAt + 20, Date.now() + SYNC_MARGIN_MS);
    const herdBar = progress('thundering herd', sum(herdSizes, (n) => n));
    const herdParts = await withProgress(
      () => Promise.all(shards.map((shard) => shard.fireHerd({ saleId, at: herdAt }))),
      async () => herdBar.update(sum(await Promise.all(shards.map((shard) => shard.progress())), (p) => p.answered)),
      herdBar,
    );
    const herdAnswers = herdParts.flatMap((part) => part.answers);
    const forcedDisconnects = sum(herdParts, (part) => part.forcedDisconnects);
    const admission = herdFigures(herdAnswers, herdAt);
    const accepted0 = sum(await Promise.all(shards.map((shard) => shard.counts())), (c) => c.accepted);
    log(`herd answered in ${Math.round(admission.spanMs)} ms: ${admission.reqPerSec} req/s, ${accepted0} tickets`);

    // 7. Every accepted ticket's final state; then resale waves buy what cancels returned.
    const deadline = herdAt + options.timeoutMs;
    await waitForResults(shards, deadline, progress, notes);
    const resaleAnswers: Answer[] = [];
    let retryWaves = 0;
    for (let wave = 1; wave <= options.retryWaves; wave++) {
      const counts = await Promise.all(shards.map((shard) => shard.counts()));
      const succeeded = sum(counts, (c) => c.succeeded);
      const candidates = sum(counts, (c) => c.candidates);
      if (succeeded >= options.stock || candidates === 0 || Date.now() > deadline) break;
      await sleep(RESALE_DELAY_MS);
      const wanted = Math.min(candidates, Math.max(20, 3 * (options.stock - succeeded)));
      const before = sum(counts, (c) => c.accepted);
      retryWaves = wave;
      const at = Date.now() + SYNC_MARGIN_MS;
      const parts = await Promise.all(
        shards.map((shard, i) => shard.resaleWave({ saleId, wave, at, count: Math.ceil((wanted * (counts[i]!.candidates || 0)) / candidates) })),
      );
      resaleAnswers.push(...parts.flatMap((part) => part.answers));
      const accepted = sum(await Promise.all(shards.map((shard) => shard.counts())), (c) => c.accepted) - before;
      log(`resale wave ${wave}: ${sum(parts, (p) => p.answers.length)} shoppers tried again for ${options.stock - succeeded} returned item(s), ${accepted} ticket(s)`);
      await waitForResults(shards, deadline, progress, notes);
      if (accepted === 0) break;
    }

    // 8. Every connected session of a ticket's user should also have the result (other tabs, reconnects).
    const undelivered = sum(await Promise.all(shards.map((shard) => shard.awaitDelivery({ graceMs: DELIVERY_GRACE_MS }))), (d) => d.undelivered);
    if (undelivered) notes.push(`${undelivered} connected session(s) still had no final state ${DELIVERY_GRACE_MS} ms after the SDK settled`);
    const finished = await Promise.all(shards.map((shard) => shard.finish()));
    const shoppers: ShopperRecord[] = finished.flatMap((part) => part.shoppers);

    if (options.faults.includes('lost-push')) {
      const victim = shoppers.find((s) => s.ticketId && s.sessions.some((session) => session.connectedAtEnd));
      const session = victim?.sessions.find((candidate) => candidate.connectedAtEnd);
      if (victim && session) session.events = session.events.filter((event) => event.ticketId !== victim.ticketId);
      notes.push(`FAULT lost-push: forgot what session ${session?.sessionId} received for ${victim?.ticketId}`);
    }

    if (options.faults.includes('extra-order')) {
      await prisma.order.create({ data: { saleId, userId: `intruder-${runId}`, ticketId: `${saleId}.999999`, ticketNumber: 999_999 } });
      notes.push('FAULT extra-order: inserted an order row for a user who never had a ticket');
    }

    // 9. The truth, from PostgreSQL and Redis.
    const accepted = shoppers.flatMap((shopper) => shopper.tickets.map((ticketId) => ({ ticketId, userId: shopper.userId })));
    const snapshot = await readSnapshot({ prisma, redis, saleId, knownTicketIds: accepted.map((a) => a.ticketId) });
    const refused: CrowdObservations['hostileResponses'] = [];
    const serverErrors: CrowdObservations['serverErrors'] = [];
    for (const answer of [...earlyAnswers, ...herdAnswers, ...resaleAnswers]) {
      if (answer.status === 0 || answer.status >= 500) serverErrors.push({ status: answer.status, ...(answer.code ? { code: answer.code } : {}) });
      else if (answer.tag !== 'buy' && answer.tag !== 'hello') refused.push({ kind: answer.tag as RefusedKind, status: answer.status });
    }
    const polled: CrowdObservations['polled'] = new Map();
    for (const shopper of shoppers) {
      for (const view of shopper.polled) {
        polled.set(view.ticketId, view.error !== undefined ? { error: view.error } : { status: view.status!, ...(view.orderId ? { orderId: view.orderId } : {}) });
      }
    }
    const sessions = shoppers.flatMap((shopper) => shopper.sessions.map((session) => ({ ...session, userId: shopper.userId })));
    const crowd: CrowdObservations = {
      accepted,
      clickMismatches: clickMismatches(shoppers),
      distinctBuyers: shoppers.length,
      sessions: sessions.map(({ sessionId, userId, connectedAtEnd, events }) => ({ sessionId, userId, connectedAtEnd, events })),
      polled,
      hostileResponses: refused,
      serverErrors,
    };
    const invariants = checkInvariants(snapshot, crowd);
    if (sessions.some((session) => session.foreignReady)) {
      invariants.push({ name: 'push-auth-identity', description: 'Each push session is ready as its own user', status: 'fail', details: 'a session was greeted as another user' });
    }

    // 10. Figures.
    const clickToPushed: number[] = [];
    const clickToResult: number[] = [];
    const results: Array<{ t: number; status: string; latencyMs: number }> = [];
    let resultsPushed = 0;
    let resultsByPollingOnly = 0;
    let lastResultAt = 0;
    for (const shopper of shoppers) {
      if (!shopper.ticketId || shopper.clickedAt === undefined) continue;
      const pushed = firstFinalReceipt(shopper);
      if (pushed) {
        resultsPushed++;
        clickToPushed.push(pushed.at - shopper.clickedAt);
        results.push({ t: pushed.at - herdAt, status: pushed.status, latencyMs: pushed.at - shopper.clickedAt });
      } else if (shopper.result?.via === 'poll') {
        resultsByPollingOnly++;
      }
      if (shopper.result) clickToResult.push(shopper.result.at - shopper.clickedAt);
      lastResultAt = Math.max(lastResultAt, pushed?.at ?? 0, shopper.result?.at ?? 0);
    }
    const clicks = shoppers.flatMap((shopper) => shopper.clicks);
    const byAnswer: Record<string, number> = {};
    for (const c of clicks) byAnswer[answerLabel(c)] = (byAnswer[answerLabel(c)] ?? 0) + 1;
    const byKind: Record<string, number> = {};
    for (const answer of herdAnswers) byKind[answer.tag] = (byKind[answer.tag] ?? 0) + 1;
    const firstSoldOut = clicks.filter((c) => c.wave === 0 && c.code === 'SOLD_OUT').reduce((min, c) => Math.min(min, c.answeredAt), Infinity);
    const finalStatuses = [...snapshot.redisTickets.values()].map((t) => t.status);
    const timeline = buildTimeline({
      answers: [
        ...clicks.filter((c) => c.wave >= 0).map((c) => ({ t: c.answeredAt - herdAt, label: answerLabel(c) })),
        ...herdAnswers.filter((a) => a.tag !== 'buy').map((a) => ({ t: a.answeredAt - herdAt, label: `${a.status} ${a.tag}` })),
      ],
      results,
    });
    const passed = invariants.every((inv) => inv.status !== 'fail');
    if (baseline === undefined) notes.push('baseline skipped (--no-baseline)');
    notes.push(
      `click → pushed latency runs from the shopper's SDK call (queueing in the ${options.connections}-connection pool included) to the first final state received on any of the user's sockets`,
      `both herds are fired by the same ${shardCount} shard(s) with the same pools at one instant; the hello-world is one process, the purchases go to ${target.gatewayUrls.length} gateway(s)`,
    );
    if (byAnswer['200 BAD_RESPONSE']) {
      notes.push(`${byAnswer['200 BAD_RESPONSE']} repeat click(s) were answered 200 with the already final ticket; the SDK's buy() rejects that 200 as BAD_RESPONSE`);
    }

    const report: LoadtestReport = {
      version: 1,
      saleId,
      passed,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      options: { ...options, runId, shards: shardCount },
      machine: { cpus: cpus().length, node: process.version, loadAverageAtStart, loadAverageAtEnd: loadavg().map((n) => round(n, 2)) },
      target: { mode: target.mode, ...(target.runMode ? { runMode: target.runMode } : {}), gatewayUrls: target.gatewayUrls, pushUrls: target.pushUrls, ...(target.workers ? { workers: target.workers } : {}) },
      figures: {
        users: options.users,
        sessions: sessions.length,
        stock: options.stock,
        connect: { ms: connectMs, sessionsPerNode, localAddresses: localAddresses.map((a) => a ?? '127.0.0.1 (unbound)') },
        requests: { total: herdAnswers.length, byKind, byAnswer },
        tickets: {
          accepted: accepted.length,
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
        retryWaves,
        forcedDisconnects,
      },
      invariants,
      timeline,
      notes,
    };
    const files = await writeReport(options.out, report);
    return { report, files };
  } catch (error) {
    if (recentAppLines.length && !options.verbose) log(`last lines of the apps:\n${recentAppLines.slice(-30).join('\n')}`);
    throw error;
  } finally {
    await Promise.allSettled(shards.map((shard) => shard.close()));
    await Promise.allSettled([prisma.$disconnect(), redis.quit()]);
    await target.stop();
  }
}

/** Throughput and latency of one herd fired at `at` (epoch ms): first shot out → last answer in. */
function herdFigures(answers: readonly Answer[], at: number): HerdFigures {
  const spanMs = answers.reduce((max, a) => Math.max(max, a.answeredAt - at), 0);
  return {
    requests: answers.length,
    spanMs: round(spanMs),
    reqPerSec: ratePerSecond(answers.length, spanMs),
    latency: summarize(answers.map((a) => a.answeredAt - a.startedAt)),
  };
}

async function createSale(gatewayUrl: string, adminToken: string, body: { name: string; stock: number; queueCapacity?: number; startsAt: string; endsAt: string }): Promise<string> {
  const response = await fetch(`${gatewayUrl}/api/admin/sales`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify(body),
  });
  const created = (await response.json().catch(() => ({}))) as { id?: string };
  if (response.status !== 201 || !created.id) throw new Error(`creating the sale failed: ${response.status} ${JSON.stringify(created)}`);
  return created.id;
}

/** Wait until every accepted ticket's result settled, or the deadline; a timeout is noted, the checks still run. */
async function waitForResults(shards: CrowdShard[], deadline: number, progress: ReturnType<typeof createProgress>, notes: string[]): Promise<void> {
  const total = sum(await Promise.all(shards.map((shard) => shard.progress())), (p) => p.holders);
  const bar = progress('waiting for results', total);
  const parts = await withProgress(
    () => Promise.all(shards.map((shard) => shard.waitForResults({ deadline }))),
    async () => bar.update(sum(await Promise.all(shards.map((shard) => shard.progress())), (p) => p.resolved)),
    bar,
  );
  const pending = sum(parts, (p) => p.pending);
  if (pending) notes.push(`timed out: ${pending} of ${total} accepted tickets had no final state for the SDK`);
}

/** Run `task`, refreshing a progress bar every 250 ms meanwhile. */
async function withProgress<T>(task: () => Promise<T>, refresh: () => Promise<void>, bar: PhaseBar): Promise<T> {
  const timer = setInterval(() => void refresh().catch(() => undefined), 250);
  try {
    const result = await task();
    await refresh().catch(() => undefined);
    return result;
  } finally {
    clearInterval(timer);
    bar.stop();
  }
}

function firstFinalReceipt(shopper: ShopperRecord): { at: number; status: string } | undefined {
  let first: { at: number; status: string } | undefined;
  for (const session of shopper.sessions) {
    for (const event of session.events) {
      if (event.ticketId !== shopper.ticketId || event.status === 'QUEUED') continue;
      if (!first || event.receivedAt < first.at) first = { at: event.receivedAt, status: event.status };
    }
  }
  return first;
}

function clickMismatches(shoppers: ShopperRecord[]): CrowdObservations['clickMismatches'] {
  const mismatches: CrowdObservations['clickMismatches'] = [];
  for (const shopper of shoppers) {
    const byWave = new Map<number, Set<string>>();
    for (const c of shopper.clicks) {
      if (!c.ticketId) continue;
      const ids = byWave.get(c.wave) ?? new Set();
      ids.add(c.ticketId);
      byWave.set(c.wave, ids);
    }
    for (const ids of byWave.values()) if (ids.size > 1) mismatches.push({ userId: shopper.userId, ticketIds: [...ids] });
  }
  return mismatches;
}

function answerLabel(c: { status: number; code?: string }): string {
  return c.status === 202 ? '202 QUEUED' : `${c.status}${c.code ? ` ${c.code}` : ''}`;
}

function countLabels(labels: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}

function requireEnv(env: Record<string, string>, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set (environment or .env)`);
  return value;
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}
