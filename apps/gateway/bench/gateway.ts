// pnpm --filter @seckill/gateway bench: autocannon against a bare Fastify hello-world and against
// the purchase endpoint of the BUILT gateway (dist/main.js on plain node; distinct users, a sale with
// plenty of stock, real Redis and Kafka), each
// server in a child process of its own; prints req/s, p50/p99 and last `ratio <purchase/bare>`.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { createPrismaClient } from '@seckill/db';
import { createKafka, createLogger, createRedis, createUserTokenSigner } from '@seckill/platform';
import autocannon from 'autocannon';
import { redisKeys } from '@seckill/redis-state';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const USERS = Number(process.env.BENCH_USERS ?? 400_000);
const BARE_PORT = Number(process.env.BENCH_BARE_PORT ?? 3900);
const GATEWAY_PORT = Number(process.env.BENCH_GATEWAY_PORT ?? 3901);
const services = {
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/seckill',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
};
/** `dist` (default): the built gateway, as production runs it (`node dist/main.js`); `source`: src/main.ts through tsx. */
const GATEWAY_FROM = process.env.BENCH_GATEWAY_FROM === 'source' ? 'source' : 'dist';
/** Node flags for the gateway process (the same the README recommends for production). */
const GATEWAY_NODE_FLAGS = (process.env.BENCH_GATEWAY_NODE_FLAGS ?? '--max-semi-space-size=32').split(' ').filter(Boolean);
const logger = createLogger({ name: 'bench', level: 'warn' });
const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];

/** A server in a child process of its own; a `.ts` script runs through tsx, a `.js` one on plain node. */
function startChild(script: string, env: Record<string, string>, nodeFlags: string[] = []): ChildProcess {
  const typescript = script.endsWith('.ts') ? ['--import', 'tsx', '--conditions=@seckill/source'] : [];
  return fork(path.join(__dirname, script), [], {
    env: { ...process.env, ...env },
    execArgv: [...typescript, ...nodeFlags, ...profile],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Builds the gateway and the workspace packages it uses (turbo caches: seconds when up to date). */
function buildGateway(): void {
  execFileSync('pnpm', ['turbo', 'run', 'build', '--filter', '@seckill/gateway', '--output-logs=errors-only'], {
    cwd: path.join(__dirname, '../../..'),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitUntilReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} was not ready within 60 s`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
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
  const bare = startChild('hello-server.js', { PORT: String(BARE_PORT) });
  try {
    const url = `http://127.0.0.1:${BARE_PORT}/`;
    await waitUntilReady(url, bare);
    await load({ url, duration: 2 }); // warm-up
    return await measured(bare.pid, () => load({ url }));
  } finally {
    await stopChild(bare);
  }
}

async function benchPurchase(): Promise<{ admitted: Figures; refused: Figures }> {
  const authSecret = randomBytes(32).toString('hex');
  const adminToken = randomBytes(24).toString('hex');
  const runId = Date.now().toString(36);
  const topic = `bench-orders-${runId}`;
  const userPrefix = `bench-${runId}`;
  const kafka = createKafka({ clientId: 'gateway-bench', brokers: services.KAFKA_BROKERS.split(','), logger });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 12 }], waitForLeaders: true });

  // BENCH_GATEWAY_SCRIPT (relative to bench/) runs another build, e.g. a saved copy of dist for an A/B.
  const script = process.env.BENCH_GATEWAY_SCRIPT ?? (GATEWAY_FROM === 'dist' ? '../dist/main.js' : '../src/main.ts');
  const gateway = startChild(
    script,
    {
      ...services,
      PORT: String(GATEWAY_PORT),
      HOST: '127.0.0.1',
      AUTH_SECRET: authSecret,
      ADMIN_TOKEN: adminToken,
      ORDERS_TOPIC: topic,
      LOG_LEVEL: 'warn',
    },
    GATEWAY_NODE_FLAGS,
  );
  const base = `http://127.0.0.1:${GATEWAY_PORT}`;
  let saleId: string | undefined;
  let soldOutId: string | undefined;
  try {
    await waitUntilReady(`${base}/readyz`, gateway);
    const created = await fetch(`${base}/api/admin/sales`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Benchmark sale',
        stock: 10_000_000,
        queueCapacity: 10_000_000,
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    });
    if (created.status !== 201) throw new Error(`creating the sale answered ${created.status} ${await created.text()}`);
    saleId = ((await created.json()) as { id: string }).id;

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
    const figures = await measured(gateway.pid, () => load(purchase()));
    // The bulk of a herd: refusals. The same crowd against a sale with nothing left (410 SOLD_OUT).
    const soldOut = await fetch(`${base}/api/admin/sales`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Sold out',
        stock: 1,
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    });
    soldOutId = ((await soldOut.json()) as { id: string }).id;
    await fetch(`${base}/api/sales/${soldOutId}/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sign(`${userPrefix}-first`)}` },
    });
    const refused = await measured(gateway.pid, () => load({ ...purchase(), url: `${base}/api/sales/${soldOutId}/orders` }));
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
    await stopChild(gateway);
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
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
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
