// pnpm --filter @seckill/gateway bench: autocannon against a bare Fastify hello-world and against
// the purchase endpoint of the BUILT gateway (dist/main.js on plain node; distinct users, a sale with
// plenty of stock, real Redis and Kafka), each
// server in a child process of its own; prints req/s, p50/p99 and last `ratio <purchase/bare>`.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { createPrismaClient, databaseUrlFromEnv } from '@seckill/db';
import {
  createSale,
  deleteTopics,
  freshTopic,
  startHelloWorld,
  startNodeProcess,
  stopProcess,
  waitUntilAnswers,
  type SaleOptions,
} from '@seckill/devstack';
import { createRedis, createUserTokenSigner } from '@seckill/platform';
import { testServices } from '@seckill/platform/testing';
import autocannon from 'autocannon';
import { redisKeys } from '@seckill/redis-state';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const USERS = Number(process.env.BENCH_USERS ?? 400_000);
const BARE_PORT = Number(process.env.BENCH_BARE_PORT ?? 3900);
const GATEWAY_PORT = Number(process.env.BENCH_GATEWAY_PORT ?? 3901);
const services = {
  DATABASE_URL: databaseUrlFromEnv(),
  REDIS_URL: testServices.redisUrl,
  KAFKA_BROKERS: testServices.kafkaBrokers.join(','),
  NATS_URL: testServices.natsUrl,
};
/** `dist` (default): the built gateway, as production runs it (`node dist/main.js`); `source`: src/main.ts through tsx. */
const GATEWAY_FROM = process.env.BENCH_GATEWAY_FROM === 'source' ? 'source' : 'dist';
/** Node flags for the gateway process (the same the README recommends for production). */
const GATEWAY_NODE_FLAGS = (process.env.BENCH_GATEWAY_NODE_FLAGS ?? '--max-semi-space-size=32').split(' ').filter(Boolean);
const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];

/** Builds the gateway and the workspace packages it uses (turbo caches: seconds when up to date). */
function buildGateway(): void {
  execFileSync('pnpm', ['turbo', 'run', 'build', '--filter', '@seckill/gateway', '--output-logs=errors-only'], {
    cwd: path.join(__dirname, '../../..'),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** CPU seconds (user + system) a process used so far, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 10 ms
  } catch {
    return Number.NaN;
  }
}

/** Pids of the processes sharing the cores with the gateway (read from /proc; Linux). */
function neighbourPids(): Record<string, number> {
  const found: Record<string, number> = { bench: process.pid };
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let command: string;
    try {
      command = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (command.startsWith('redis-server')) found.redis ??= Number(entry);
    else if (command.includes('kafka.Kafka')) found.kafka ??= Number(entry);
  }
  return found;
}

interface Figures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
  /** Server CPU per request, in microseconds. */
  cpuMicrosPerRequest?: number;
  /** CPU of the other processes per request (bench = autocannon's own process), in microseconds. */
  neighbours?: Record<string, number>;
  /** Redis commands per request (INFO commandstats), by command. */
  redisCommands?: Record<string, number>;
}

/** Calls per command so far, from Redis's INFO commandstats. */
async function redisCommandCalls(): Promise<Record<string, number>> {
  const redis = createRedis(services.REDIS_URL);
  try {
    const info = await redis.info('commandstats');
    return Object.fromEntries([...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((match) => [match[1]!, Number(match[2])]));
  } finally {
    await redis.quit();
  }
}

async function load(options: autocannon.Options): Promise<Figures> {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION_S, ...options });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
  };
}

async function measured(pid: number | undefined, run: () => Promise<Figures>): Promise<Figures> {
  const others = Object.entries(neighbourPids());
  const othersBefore = others.map(([, other]) => cpuSeconds(other));
  const commandsBefore = await redisCommandCalls();
  const before = cpuSeconds(pid);
  const figures = await run();
  const used = cpuSeconds(pid) - before;
  const commandsAfter = await redisCommandCalls();
  const neighbours = Object.fromEntries(
    others.map(([name, other], index) => [name, ((cpuSeconds(other) - (othersBefore[index] as number)) / figures.total) * 1e6]),
  );
  const redisCommands = Object.fromEntries(
    Object.entries(commandsAfter)
      .map(([command, calls]) => [command, (calls - (commandsBefore[command] ?? 0)) / figures.total] as const)
      // INFO itself and commands a tenth of the requests or less (background reads) are left out.
      .filter(([command, perRequest]) => command !== 'info' && perRequest >= 0.1),
  );
  return { ...figures, cpuMicrosPerRequest: (used / figures.total) * 1e6, neighbours, redisCommands };
}

/** CPU µs per request of the server, Redis and the Kafka broker together (what a purchase costs the machine's services). */
function serviceCpu(figures: Figures): number {
  return (figures.cpuMicrosPerRequest ?? 0) + (figures.neighbours?.redis ?? 0) + (figures.neighbours?.kafka ?? 0);
}

function print(name: string, figures: Figures): void {
  console.log(
    `${name.padEnd(9)} ${figures.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${figures.p50} ms  p99 ${figures.p99} ms  ` +
      `(${figures.total} requests, ${figures.non2xx} non-2xx, ${figures.errors} errors` +
      `${figures.cpuMicrosPerRequest ? `, server CPU ${figures.cpuMicrosPerRequest.toFixed(0)} µs/request` : ''})`,
  );
  const neighbours = Object.entries(figures.neighbours ?? {}).map(([other, micros]) => `${other} ${micros.toFixed(0)}`);
  if (neighbours.length > 0) console.log(`${''.padEnd(9)} CPU of the other processes, µs/request: ${neighbours.join(', ')}`);
  console.log(`${''.padEnd(9)} server + Redis + Kafka: ${serviceCpu(figures).toFixed(0)} µs/request`);
  // INFO commandstats counts the commands a script runs too: the round trips are the eval* calls.
  const entries = Object.entries(figures.redisCommands ?? {});
  const calls = entries
    .filter(([command]) => command.startsWith('eval'))
    .map(([command, perRequest]) => `${command} ${perRequest.toFixed(2)}`);
  const inside = entries
    .filter(([command]) => !command.startsWith('eval'))
    .map(([command, perRequest]) => `${command} ${perRequest.toFixed(2)}`);
  if (entries.length > 0)
    console.log(
      `${''.padEnd(9)} Redis calls/request: ${calls.join(', ') || 'none'}; commands run/request (inside scripts too): ${inside.join(', ')}`,
    );
}

async function benchBare(): Promise<Figures> {
  // Each server in a child process of its own, printing to our output.
  const bare = await startHelloWorld(BARE_PORT, { nodeFlags: profile, output: 'inherit' });
  try {
    const url = `${bare.url}/`;
    await load({ url, duration: 2 }); // warm-up
    return await measured(bare.process.child.pid, () => load({ url }));
  } finally {
    await bare.stop();
  }
}

/** A sale open since a minute ago, for an hour. */
function openSale(sale: Omit<SaleOptions, 'startsAt' | 'endsAt'>): SaleOptions {
  return { ...sale, startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString() };
}

async function benchPurchase(): Promise<{ admitted: Figures; refused: Figures }> {
  const authSecret = randomBytes(32).toString('hex');
  const adminToken = randomBytes(24).toString('hex');
  const runId = Date.now().toString(36);
  const userPrefix = `bench-${runId}`;
  const kafka = { brokers: testServices.kafkaBrokers };
  const topic = await freshTopic('bench-orders', { ...kafka, partitions: 12 });

  // BENCH_GATEWAY_SCRIPT (relative to bench/) runs another build, e.g. a saved copy of dist for an A/B.
  const script = process.env.BENCH_GATEWAY_SCRIPT ?? (GATEWAY_FROM === 'dist' ? '../dist/main.js' : '../src/main.ts');
  const gateway = startNodeProcess({
    name: 'gateway',
    script: path.resolve(__dirname, script),
    env: {
      ...services,
      PORT: String(GATEWAY_PORT),
      HOST: '127.0.0.1',
      AUTH_SECRET: authSecret,
      ADMIN_TOKEN: adminToken,
      ORDERS_TOPIC: topic,
      LOG_LEVEL: 'warn',
    },
    nodeFlags: [...GATEWAY_NODE_FLAGS, ...profile],
    output: 'inherit',
  });
  const base = `http://127.0.0.1:${GATEWAY_PORT}`;
  let saleId: string | undefined;
  let soldOutId: string | undefined;
  try {
    await waitUntilAnswers(gateway, `${base}/readyz`);
    saleId = (await createSale(base, adminToken, openSale({ name: 'Benchmark sale', stock: 10_000_000, queueCapacity: 10_000_000 }))).id;

    const sign = createUserTokenSigner(authSecret);
    const authorizations = Array.from({ length: USERS }, (_, index) => `Bearer ${sign(`${userPrefix}-${index}`)}`);
    let next = 0;
    const purchase = (): autocannon.Options => ({
      url: `${base}/api/sales/${saleId}/orders`,
      method: 'POST',
      requests: [
        {
          setupRequest: (request) => {
            const authorization = authorizations[next++ % authorizations.length] as string;
            return { ...request, headers: { ...request.headers, authorization } };
          },
        },
      ],
    });
    await load({ ...purchase(), duration: 2 }); // warm-up
    const figures = await measured(gateway.child.pid, () => load(purchase()));
    // The bulk of a herd: refusals. The same crowd against a sale with nothing left (410 SOLD_OUT).
    soldOutId = (await createSale(base, adminToken, openSale({ name: 'Sold out', stock: 1 }))).id;
    await fetch(`${base}/api/sales/${soldOutId}/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sign(`${userPrefix}-first`)}` },
    });
    const refused = await measured(gateway.child.pid, () => load({ ...purchase(), url: `${base}/api/sales/${soldOutId}/orders` }));
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const sum = Number(/seckill_gateway_kafka_batch_size_sum\{[^}]*outcome="acked"[^}]*\} (\S+)/.exec(metrics)?.[1] ?? 0);
    const count = Number(/seckill_gateway_kafka_batch_size_count\{[^}]*outcome="acked"[^}]*\} (\S+)/.exec(metrics)?.[1] ?? 0);
    if (count > 0) console.log(`kafka: ${count} produce requests, ${(sum / count).toFixed(1)} messages each on average`);
    const admissions = (outcome: string) =>
      Number(new RegExp(`seckill_gateway_admissions_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\S+)`).exec(metrics)?.[1] ?? 0);
    console.log(
      `admissions: ${admissions('admitted')} admitted, ${admissions('existing')} repeats of a user (should be 0), ${admissions('sold_out')} refused sold out`,
    );
    return { admitted: figures, refused };
  } finally {
    await stopProcess(gateway);
    const redis = createRedis(services.REDIS_URL);
    const saleIds = [saleId, soldOutId].filter((id): id is string => id !== undefined);
    for (const pattern of [...saleIds.map((id) => `${redisKeys.saleTag(id)}*`), redisKeys.userTickets(`${userPrefix}-*`)]) {
      const keys = await redis.keys(pattern);
      for (let index = 0; index < keys.length; index += 1000) await redis.unlink(...keys.slice(index, index + 1000));
    }
    await redis.srem(redisKeys.activeSales(), ...saleIds).catch(() => undefined);
    if (saleIds.length > 0) {
      const prisma = createPrismaClient({ databaseUrl: services.DATABASE_URL });
      await prisma.sale.deleteMany({ where: { id: { in: saleIds } } });
      await prisma.$disconnect();
    }
    await redis.quit();
    await deleteTopics([topic], kafka).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  if (GATEWAY_FROM === 'dist') buildGateway();
  console.log(
    `${cpus().length} cores, load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')} (other processes skew both runs)`,
  );
  console.log(`gateway from ${GATEWAY_FROM}, node flags: ${GATEWAY_NODE_FLAGS.join(' ') || 'none'}`);
  const bare = await benchBare();
  const { admitted, refused } = await benchPurchase();
  print('bare', bare);
  print('purchase', admitted);
  print('refused', refused);
  console.log(`refused/bare CPU ${(serviceCpu(refused) / serviceCpu(bare)).toFixed(2)} (server + Redis + Kafka per request)`);
  console.log(`ratio ${(admitted.requestsPerSecond / bare.requestsPerSecond).toFixed(3)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
