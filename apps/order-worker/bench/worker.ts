/**
 * Order-worker throughput against a one-INSERT-per-transaction baseline, on the same database.
 *
 *   pnpm --filter @seckill/order-worker bench
 *
 * 1. Admits BENCH_ORDERS tickets of ONE hot sale the way the gateway does (the admission script:
 *    QUEUED ticket and outbox entry in Redis; message on a fresh topic of BENCH_PARTITIONS
 *    partitions keyed by BENCH_KEY=user|sale), then starts BENCH_WORKERS built worker processes
 *    (dist, plain node, as production runs them) and measures orders committed per second in the
 *    steady state: between BENCH_FROM (20%) and BENCH_TO (95%) of the orders committed, so the
 *    JIT warm-up, the group join and the tail do not decide the figure (each batch also pays for
 *    its Redis claims and results and its NATS events before the next fetch).
 * 2. Baseline, before and after: pgbench, 16 clients, each transaction ONE single-row INSERT into
 *    a scratch table shaped like `orders` (same unique keys); a Node loop if pgbench is missing.
 * Last line: `ratio <worker orders/s ÷ baseline inserts/s>`.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { OrderRequested } from '@seckill/contracts';
import { createPrismaClient, databaseUrlFromEnv } from '@seckill/db';
import { deleteOrderTopics, freshOrderTopics, startApp, stopProcess, type AppProcess, type OrderTopics } from '@seckill/devstack';
import { createKafka, createLogger, createRedis } from '@seckill/platform';
import { testServices, uniqueName } from '@seckill/platform/testing';
import { Client } from 'pg';
import { createRedisState, redisKeys } from '@seckill/redis-state';

const run = promisify(execFile);
const env = process.env;
const orders = Number(env.BENCH_ORDERS ?? 40_000);
const workers = Number(env.BENCH_WORKERS ?? 1);
const partitions = Number(env.BENCH_PARTITIONS ?? 12);
const keyBy = env.BENCH_KEY === 'sale' ? 'sale' : 'user';
const baselineSeconds = Number(env.BENCH_BASELINE_SECONDS ?? 4);
const baselineClients = 16;
const databaseUrl = databaseUrlFromEnv();
const redisUrl = testServices.redisUrl;
const brokers = testServices.kafkaBrokers;
const portBase = Number(env.BENCH_PORT_BASE ?? 3190);
/** The steady-state window, as shares of the orders committed. */
const measureFrom = Number(env.BENCH_FROM ?? 0.2);
const measureTo = Number(env.BENCH_TO ?? 0.95);
/** `dist` (default): the built worker on plain node; `source`: src/main.ts through tsx. */
const workerFrom = env.BENCH_WORKER_FROM === 'source' ? 'source' : 'dist';
// As `pnpm start` runs it: a larger young generation, far fewer scavenges per order.
const workerNodeArgs = (env.BENCH_WORKER_NODE_ARGS ?? '--max-semi-space-size=64').split(' ').filter(Boolean);

const logger = createLogger({ name: 'bench-worker', level: 'error' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const prisma = createPrismaClient({ databaseUrl });
  const redis = createRedis(redisUrl, { name: 'bench-worker' });
  const kafka = createKafka({ clientId: uniqueName('bench-worker'), brokers, logger });
  const producer = kafka.producer();
  await producer.connect();
  const children: AppProcess[] = [];
  let benchSaleId: string | undefined;
  let benchTopics: OrderTopics | undefined;
  const stopChildren = () => Promise.all(children.map((child) => stopProcess(child)));

  if (workerFrom === 'dist') {
    await run('pnpm', ['turbo', 'run', 'build', '--filter', '@seckill/order-worker', '--output-logs=errors-only'], {
      cwd: path.resolve(__dirname, '../../..'),
    });
  }
  try {
    benchTopics = await freshOrderTopics('bench', { brokers, partitions });
    const topic = benchTopics.ORDERS_TOPIC;
    const saleId = randomUUID();
    benchSaleId = saleId;
    await prisma.sale.create({
      data: {
        id: saleId,
        name: 'bench hot sale',
        stock: orders,
        initialStock: orders,
        queueCapacity: orders,
        startsAt: new Date(Date.now() - 60_000),
        endsAt: new Date(Date.now() + 3_600_000),
      },
    });

    const baselineBefore = await measureBaseline(prisma);

    // The gateway's side: the admission script for each ticket (QUEUED, outbox), then the messages.
    const redisState = createRedisState({ redis });
    const startsAt = Date.now() - 60_000;
    await redisState.loadSale({
      id: saleId,
      name: 'bench hot sale',
      stock: orders,
      initialStock: orders,
      queueCapacity: orders,
      startsAtMs: startsAt,
      endsAtMs: startsAt + 3_660_000,
      epoch: 1,
      ticketNumberFloor: 0,
    });
    const tickets: OrderRequested[] = [];
    for (let offset = 0; offset < orders; offset += 1_000) {
      const admitted = await Promise.all(
        Array.from({ length: Math.min(1_000, orders - offset) }, async (_, index) => {
          const userId = `bench-${offset + index + 1}`;
          const reply = await redisState.admitTicket({
            saleId,
            userId,
            nowMs: Date.now(),
            deadlineMs: Date.now() + 60_000,
            relayAfterMs: 3_600_000,
          });
          if (reply.kind !== 'ADMITTED') throw new Error(`admission answered ${reply.kind}`);
          return { v: 1 as const, ticketId: reply.ticketId, ticketNumber: reply.ticketNumber, saleId, userId, requestedAt: Date.now() };
        }),
      );
      tickets.push(...admitted);
    }

    const fillStarted = performance.now();
    const chunk = 2_000;
    for (let offset = 0; offset < tickets.length; offset += chunk) {
      await producer.send({
        topic,
        messages: tickets.slice(offset, offset + chunk).map((ticket) => ({
          key: keyBy === 'sale' ? ticket.saleId : ticket.userId,
          value: JSON.stringify(ticket),
        })),
      });
    }
    const fillMs = performance.now() - fillStarted;

    // Only now the workers.
    for (let index = 0; index < workers; index += 1) {
      children.push(
        startApp({
          app: 'order-worker',
          name: `order-worker-${index}`,
          port: portBase + index,
          mode: workerFrom,
          nodeFlags: workerNodeArgs,
          output: 'inherit',
          killWithParent: true,
          env: {
            DATABASE_URL: databaseUrl,
            REDIS_URL: redisUrl,
            KAFKA_BROKERS: brokers.join(','),
            ...benchTopics,
            WORKER_ID: `bench-${index}`,
            HOST: '127.0.0.1',
            LOG_LEVEL: env.BENCH_WORKER_LOG_LEVEL ?? 'warn',
          },
        }),
      );
    }

    const started = await firstReady();
    const timeline: string[] = [];
    const samples: Array<{ at: number; committed: number }> = [];
    for (;;) {
      const committed = await prisma.order.count({ where: { saleId } });
      samples.push({ at: performance.now(), committed });
      if (env.BENCH_TIMELINE) timeline.push(`${(performance.now() - started).toFixed(0)}ms:${committed}`);
      if (committed >= orders) break;
      if (performance.now() - started > 300_000) throw new Error(`only ${committed}/${orders} orders after 300 s`);
      await sleep(20);
    }
    const finished = performance.now();
    // The steady state: the first samples at or past each mark.
    const mark = (share: number) => samples.find((sample) => sample.committed >= share * orders)!;
    const [from, to] = [mark(measureFrom), mark(measureTo)];
    const workerRate = ((to.committed - from.committed) * 1000) / Math.max(1, to.at - from.at);
    const sale = await prisma.sale.findUniqueOrThrow({ where: { id: saleId } });
    if (sale.stock !== 0) throw new Error(`stock should be 0, is ${sale.stock}`);

    await stopChildren();

    console.log(`workers ${workers}, partitions ${partitions}, key by ${keyBy}, orders ${orders}`);
    console.log(
      `topic filled in ${fillMs.toFixed(0)} ms; all ${orders} orders committed ${(finished - started).toFixed(0)} ms after the first worker joined`,
    );
    if (timeline.length) console.log(`timeline ${timeline.join(' ')}`);
    console.log(
      `worker orders committed/s ${workerRate.toFixed(0)} (steady state, ${(measureFrom * 100).toFixed(0)}% to ${(measureTo * 100).toFixed(0)}% of the orders; overall ${((orders * 1000) / (finished - started)).toFixed(0)} from the first join)`,
    );

    const baselineAfter = await measureBaseline(prisma);
    // The machine is shared and noisy: the baseline is the mean of one run before and one after.
    const baselineRate = (baselineBefore.rate + baselineAfter.rate) / 2;
    console.log(
      `baseline (${baselineAfter.tool}, ${baselineClients} clients, one INSERT per transaction) inserts/s ${baselineRate.toFixed(0)}` +
        ` (before ${baselineBefore.rate.toFixed(0)}, after ${baselineAfter.rate.toFixed(0)})`,
    );
    console.log(`ratio ${(workerRate / baselineRate).toFixed(2)}`);
  } finally {
    await stopChildren();
    await cleanUp().catch((error: unknown) => console.error('clean-up failed', error));
    await Promise.allSettled([producer.disconnect(), redis.quit(), prisma.$disconnect()]);
  }

  // Leave the shared database, Redis and broker as they were: the figures are printed already.
  async function cleanUp(): Promise<void> {
    if (!benchSaleId) return;
    await prisma.order.deleteMany({ where: { saleId: benchSaleId } });
    await prisma.sale.deleteMany({ where: { id: benchSaleId } });
    for (let cursor = '0'; ;) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisKeys.saleTag(benchSaleId)}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
    await redis.srem(redisKeys.activeSales(), benchSaleId);
    const userIndexes = redis.pipeline();
    for (let n = 1; n <= orders; n += 1) userIndexes.del(redisKeys.userTickets(`bench-${n}`));
    await userIndexes.exec();
    if (benchTopics) await deleteOrderTopics(benchTopics, { brokers }).catch(() => undefined);
  }
}

/** When the first worker reports ready (joined its group, dependencies reachable). */
async function firstReady(): Promise<number> {
  const deadline = performance.now() + 120_000;
  for (;;) {
    for (let index = 0; index < workers; index += 1) {
      const ready = await fetch(`http://127.0.0.1:${portBase + index}/readyz`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) return performance.now();
    }
    if (performance.now() > deadline) throw new Error('no worker ready after 120 s');
    await sleep(5);
  }
}

const baselineTable = 'bench_single_insert';

async function measureBaseline(prisma: ReturnType<typeof createPrismaClient>): Promise<{ tool: string; rate: number }> {
  await prisma.$executeRawUnsafe(`DROP TABLE IF EXISTS ${baselineTable}`);
  await prisma.$executeRawUnsafe(`CREATE TABLE ${baselineTable} (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(), sale_id uuid NOT NULL, user_id text NOT NULL,
    ticket_id text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now(), UNIQUE (sale_id, user_id))`);
  try {
    const tryPgbench = env.BENCH_BASELINE_TOOL === 'node' ? Promise.reject(new Error('BENCH_BASELINE_TOOL=node')) : pgbench();
    return await tryPgbench.catch(async (error: unknown) => {
      console.log(`pgbench unavailable (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); using a Node loop`);
      return { tool: 'node-postgres loop', rate: await nodeInsertLoop() };
    });
  } finally {
    await prisma.$executeRawUnsafe(`DROP TABLE IF EXISTS ${baselineTable}`);
  }
}

async function pgbench(): Promise<{ tool: string; rate: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-worker-'));
  const script = path.join(dir, 'insert.sql');
  writeFileSync(
    script,
    `INSERT INTO ${baselineTable} (sale_id, user_id, ticket_id) VALUES ('${randomUUID()}', md5(random()::text || clock_timestamp()::text), md5(random()::text || clock_timestamp()::text));\n`,
  );
  const { stdout } = await run('pgbench', [
    '-n',
    '-c',
    String(baselineClients),
    '-j',
    '2',
    '-T',
    String(baselineSeconds),
    '-f',
    script,
    databaseUrl,
  ]);
  const tps = /tps = ([\d.]+)/.exec(stdout);
  if (!tps?.[1]) throw new Error(`no tps in pgbench output: ${stdout}`);
  return { tool: 'pgbench', rate: Number(tps[1]) };
}

/** pgbench's equivalent: 16 node-postgres clients, each transaction one single-row INSERT. */
async function nodeInsertLoop(): Promise<number> {
  const saleId = randomUUID();
  const clients = await Promise.all(
    Array.from({ length: baselineClients }, async () => {
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      return client;
    }),
  );
  try {
    const startedAt = performance.now();
    const deadline = startedAt + baselineSeconds * 1000;
    let inserted = 0;
    await Promise.all(
      clients.map(async (client, index) => {
        for (let n = 0; performance.now() < deadline; n += 1) {
          const id = `${index}-${n}`;
          await client.query(`INSERT INTO ${baselineTable} (sale_id, user_id, ticket_id) VALUES ($1::uuid, $2, $3)`, [saleId, id, id]);
          inserted += 1;
        }
      }),
    );
    return (inserted * 1000) / (performance.now() - startedAt);
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
