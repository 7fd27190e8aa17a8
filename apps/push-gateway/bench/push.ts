/**
 * pnpm --filter @seckill/push-gateway bench [-- --sessions 5000 --messages 5000 --rate 2000 --receivers 1000]
 *
 * 1. N idle authenticated sessions on one push node (a child process): RSS per
 *    session from /proc/<pid>/status. Sessions are held by shard processes
 *    (bench/idle-clients.ts) plus the receivers held here.
 * 2. M ticket events published on NATS to the receivers: latency from publish to
 *    receipt, beside the same payloads sent through a bare `ws` server
 *    (bench/bare-server.ts, holding N sessions too), measured the same way in
 *    alternating rounds of the same run.
 * Prints `rss-per-session-kib`, both latency lines and, last, `ratio` (our p99 / bare p99).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { userTicketSubject } from '@seckill/contracts';
import { connectNats, createUserTokenSigner } from '@seckill/platform';
import WebSocket from 'ws';
import { closeAll, openSessions, type SessionTarget } from './sessions';

const { values } = parseArgs({
  // `pnpm bench -- --sessions 20000` may pass the `--` through.
  args: process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--')),
  options: {
    sessions: { type: 'string', default: '5000' },
    messages: { type: 'string', default: '5000' },
    rate: { type: 'string', default: '2000' },
    receivers: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '500' },
  },
});
const requestedSessions = Math.min(20_000, Math.max(1, Number(values.sessions)));
const messages = Math.max(1, Number(values.messages));
const ratePerSecond = Math.max(1, Number(values.rate));
const warmupMessages = Math.max(0, Number(values.warmup));
const ROUNDS = 10;
const SESSIONS_PER_SHARD = 5_000;
/** Descriptors a node needs besides its sessions (stdio, listen socket, NATS, Redis, epoll...). */
const NODE_FD_OVERHEAD = 64;

const appRoot = path.resolve(__dirname, '..');
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/seckill';
const authSecret = randomBytes(24).toString('hex');
const subjectPrefix = `bench_${randomBytes(4).toString('hex')}`;
const userPrefix = `bench-${randomBytes(3).toString('hex')}`;
const children: ChildProcess[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (value: number, digits = 3) => value.toFixed(digits);

// Never leave a node or a shard behind, whatever happens to the bench.
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
process.on('SIGINT', () => process.exit(130));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function rssKib(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]);
}

/** Median of a few samples after a pause: RSS moves with the garbage collector's rhythm. */
async function settledRssKib(pid: number): Promise<number> {
  await sleep(2_000);
  const samples: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    samples.push(rssKib(pid));
    await sleep(400);
  }
  return samples.sort((a, b) => a - b)[2]!;
}

function spawnTs(script: string, env: Record<string, string>, nodeFlags: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', '--conditions=@seckill/source', script], {
    cwd: appRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return child;
}

/** Resolves with the first stdout match of `pattern`; rejects if the child exits first. */
function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) {
        child.stdout!.off('data', onData);
        resolve(match);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });
}

async function startPushNode(): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawnTs('src/main.ts', {
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    AUTH_SECRET: authSecret,
    NATS_URL: natsUrl,
    REDIS_URL: redisUrl,
    DATABASE_URL: databaseUrl,
    NATS_SUBJECT_PREFIX: subjectPrefix,
  }, (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean));
  child.stdout!.pipe(process.stderr);
  for (let attempt = 0; ; attempt += 1) {
    if (child.exitCode !== null) throw new Error('push node exited during start');
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (attempt > 300) throw new Error('push node did not become ready');
    await sleep(100);
  }
  return { child, url: `ws://127.0.0.1:${port}/ws` };
}

async function startBareServer(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawnTs('bench/bare-server.ts', {});
  const match = await waitForLine(child, /listening (\d+)/, 'bare server');
  return { child, port: Number(match[1]) };
}

/** Idle sessions for users [from, to), in shard processes; resolves once all are open. */
async function openIdleShards(target: SessionTarget, from: number, to: number): Promise<ChildProcess[]> {
  const shards: ChildProcess[] = [];
  for (let start = from; start < to; start += SESSIONS_PER_SHARD) {
    shards.push(
      spawnTs('bench/idle-clients.ts', {
        TARGET: target.kind,
        TARGET_URL: target.kind === 'push' ? target.url : '',
        TARGET_PORT: target.kind === 'bare' ? String(target.port) : '',
        AUTH_SECRET: authSecret,
        USER_PREFIX: userPrefix,
        FROM: String(start),
        TO: String(Math.min(to, start + SESSIONS_PER_SHARD)),
      }),
    );
  }
  await Promise.all(shards.map((shard) => waitForLine(shard, /ready \d+/, 'idle-client shard')));
  return shards;
}

async function stopShards(shards: ChildProcess[]): Promise<void> {
  await Promise.all(
    shards.map(
      (shard) =>
        new Promise<void>((resolve) => {
          if (shard.exitCode !== null) return resolve();
          shard.once('exit', () => resolve());
          shard.kill('SIGTERM');
        }),
    ),
  );
}

/** Called for every ticket message a receiver gets. */
let onTicket: (ticketId: string) => void = () => undefined;

function handleMessage(data: WebSocket.RawData): void {
  const message = JSON.parse(data.toString()) as { type?: string; ticketId?: string };
  if (message.type === 'ticket' && message.ticketId) onTicket(message.ticketId);
}

/** Send `count` events to the receivers at `ratePerSecond`; each event's publish-to-receipt latency in ms. */
async function measureLatency(
  label: string,
  count: number,
  receivers: readonly string[],
  send: (userId: string, payload: string) => void,
): Promise<number[]> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let allReceived: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allReceived = resolve));
  onTicket = (ticketId) => {
    const started = sentAt.get(ticketId);
    if (started === undefined) return;
    sentAt.delete(ticketId);
    latencies.push(performance.now() - started);
    if (latencies.length === count) allReceived();
  };
  const started = performance.now();
  for (let i = 0; i < count; ) {
    const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * ratePerSecond) + 1);
    for (; i < due; i += 1) {
      const userId = receivers[(i * 7919) % receivers.length]!;
      const ticketId = `${label}.${i + 1}`;
      const payload = JSON.stringify({ type: 'ticket', ticketId, saleId: label, status: 'SUCCEEDED', orderId: `order-${i}`, at: Date.now() });
      sentAt.set(ticketId, performance.now());
      send(userId, payload);
    }
    await sleep(1);
  }
  if (count === 0) return latencies;
  const timedOut = await Promise.race([done.then(() => false), sleep(30_000).then(() => true)]);
  if (timedOut) process.stderr.write(`${label}: ${count - latencies.length} of ${count} events never arrived\n`);
  return latencies;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function summary(latencies: readonly number[]): { p50: number; p99: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  if (process.env.BENCH_DEBUG) {
    const at = (p: number) => fmt(percentile(sorted, p));
    process.stderr.write(`p50 ${at(50)} p90 ${at(90)} p95 ${at(95)} p99 ${at(99)} max ${fmt(sorted.at(-1) ?? Number.NaN)}\n`);
  }
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function main() {
  const fdLimit = Number(spawnSync('sh', ['-c', 'ulimit -n']).stdout.toString().trim()) || Number.POSITIVE_INFINITY;
  const sessions = Math.min(requestedSessions, fdLimit - NODE_FD_OVERHEAD);
  if (sessions < requestedSessions) {
    process.stderr.write(`note: open-file limit ${fdLimit} caps one node at ${sessions} sessions (asked for ${requestedSessions})\n`);
  }
  const receiverCount = Math.min(sessions, Math.max(1, Number(values.receivers)));
  const receivers = Array.from({ length: receiverCount }, (_, i) => `${userPrefix}-${i}`);

  const nats = await connectNats({ url: natsUrl, name: 'push-bench' });
  const node = await startPushNode();
  const pid = node.child.pid!;
  const push: SessionTarget = { kind: 'push', url: node.url, tokenFor: createUserTokenSigner(authSecret) };

  // Warm the node (JIT, pools) with sessions that come and go before the baseline.
  await closeAll(await openSessions(push, Array.from({ length: Math.min(500, sessions) }, (_, i) => `${userPrefix}-warm-${i}`)));
  const rssBefore = await settledRssKib(pid);
  const connectStarted = performance.now();
  const pushReceivers = await openSessions(push, receivers, handleMessage);
  const pushShards = await openIdleShards(push, receiverCount, sessions);
  const connectSeconds = (performance.now() - connectStarted) / 1000;
  const rssAfter = await settledRssKib(pid);

  const bare = await startBareServer();
  const bareTarget: SessionTarget = { kind: 'bare', port: bare.port };
  const bareConnectStarted = performance.now();
  const bareReceivers = await openSessions(bareTarget, receivers, handleMessage);
  const bareShards = await openIdleShards(bareTarget, receiverCount, sessions);
  const bareConnectSeconds = (performance.now() - bareConnectStarted) / 1000;
  const control = new WebSocket(`ws://127.0.0.1:${bare.port}/control`);
  await new Promise((resolve) => control.once('open', resolve));

  const publish = (userId: string, payload: string) => nats.publish(userTicketSubject(userId, subjectPrefix), payload);
  const tell = (userId: string, payload: string) => control.send(`${userId}\n${payload}`);
  await measureLatency('warmup-push', warmupMessages, receivers, publish);
  await measureLatency('warmup-bare', warmupMessages, receivers, tell);
  // Alternate short rounds, so a stall of this shared machine hits both sides alike.
  const pushLatencies: number[] = [];
  const bareLatencies: number[] = [];
  const perRound = Math.ceil(messages / ROUNDS);
  for (let round = 0; round < ROUNDS; round += 1) {
    const sides = [
      async () => pushLatencies.push(...(await measureLatency(`push${round}`, perRound, receivers, publish))),
      async () => bareLatencies.push(...(await measureLatency(`bare${round}`, perRound, receivers, tell))),
    ];
    if (round % 2 === 1) sides.reverse();
    for (const side of sides) await side();
  }
  const pushLatency = summary(pushLatencies);
  const bareLatency = summary(bareLatencies);

  const nodeMetrics = await (await fetch(node.url.replace('ws://', 'http://').replace(/\/ws$/, '/metrics'))).text();
  const lagMs = (name: string) => fmt(Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(nodeMetrics)?.[1]) * 1000, 1);
  await Promise.all([stopShards([...pushShards, ...bareShards]), closeAll([...pushReceivers, ...bareReceivers, control])]);
  node.child.kill('SIGTERM');
  bare.child.kill('SIGTERM');
  await nats.close();

  console.log(`sessions ${sessions}`);
  console.log(`connect-seconds ${fmt(connectSeconds, 2)} (${Math.round(sessions / connectSeconds)} sessions/s)`);
  console.log(`bare-connect-seconds ${fmt(bareConnectSeconds, 2)} (${Math.round(sessions / bareConnectSeconds)} sessions/s)`);
  console.log(`rss-before-kib ${rssBefore}`);
  console.log(`rss-after-kib ${rssAfter}`);
  console.log(`rss-per-session-kib ${fmt((rssAfter - rssBefore) / sessions, 2)}`);
  console.log(`messages ${perRound * ROUNDS} per side to ${receiverCount} receivers at ${ratePerSecond}/s, ${ROUNDS} alternating rounds`);
  console.log(`push-latency-ms p50 ${fmt(pushLatency.p50)} p99 ${fmt(pushLatency.p99)}`);
  console.log(`node-eventloop-lag-ms p99 ${lagMs('nodejs_eventloop_lag_p99_seconds')} max ${lagMs('nodejs_eventloop_lag_max_seconds')}`);
  console.log(`bare-latency-ms p50 ${fmt(bareLatency.p50)} p99 ${fmt(bareLatency.p99)}`);
  console.log(`ratio ${fmt(pushLatency.p99 / bareLatency.p99, 2)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
