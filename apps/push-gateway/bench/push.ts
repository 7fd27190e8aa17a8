/**
 * pnpm --filter @seckill/push-gateway bench [-- --sessions 5000 --messages 5000 --rate 2000 --receivers 1000 --kill-users 200]
 *
 * The same clients and the same messages on three sides, every event emitted by one separate
 * process (bench/emitter.ts):
 *  - ours: 3 push nodes (src/main.ts), events published on each user's NATS subject, as the order worker does;
 *  - the peer: 3 socket.io 4 nodes with @socket.io/redis-adapter (bench/peer-server.ts), one room
 *    per user, events through @socket.io/redis-emitter;
 *  - the baseline: one bare `ws` server (bench/bare-server.ts).
 * 1. N idle authenticated sessions per side, spread over its nodes (receivers here, the rest in
 *    bench/idle-clients.ts shards): RSS per session from /proc/<pid>/status.
 * 2. M ticket events to the receivers in alternating rounds: latency from emit (in the emitter) to
 *    receipt (here), and CPU per delivery of the side's server processes from /proc/<pid>/stat.
 * 3. Ours and the peer: a node SIGKILLed during a burst of final states to its users
 *    (bench/node-kill.ts), the users reconnect elsewhere; the events they never saw are counted.
 * Prints the figures of ours and the bare baseline, the peer's beside them and, last, `ratio`
 * (our p99 / bare p99).
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createUserTokenSigner } from '@seckill/platform';
import { cpuPerDeliveryUs, createDeliveryRounds, latencySummary } from './delivery-rounds';
import { SIDES, type Side } from './emitter-protocol';
import { holdIdleSessions, type IdleSide } from './idle-sessions';
import { runNodeKill, type NodeKillOutcome } from './node-kill';
import { stopProcesses } from './processes';
import {
  brokerListeningOn,
  startBareServer,
  startEmitter,
  startPeerNodes,
  startPushNodes,
  type RunEnv,
  type SideUnderTest,
} from './servers';

const { values } = parseArgs({
  // `pnpm bench -- --sessions 20000` may pass the `--` through.
  args: process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--')),
  options: {
    sessions: { type: 'string', default: '5000' },
    messages: { type: 'string', default: '5000' },
    rate: { type: 'string', default: '2000' },
    receivers: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '500' },
    'kill-users': { type: 'string', default: '200' },
    'kill-events-per-user': { type: 'string', default: '3' },
  },
});
const requestedSessions = Math.min(20_000, Math.max(1, Number(values.sessions)));
const messages = Math.max(1, Number(values.messages));
const ratePerSecond = Math.max(1, Number(values.rate));
const warmupMessages = Math.max(0, Number(values.warmup));
const killUsers = Math.max(1, Number(values['kill-users']));
const killEventsPerUser = Math.max(1, Number(values['kill-events-per-user']));
const NODES = 3;
const ROUNDS = 10;
/** Descriptors the bare server needs besides its sessions (stdio, listen socket, epoll...). */
const NODE_FD_OVERHEAD = 64;

const runId = randomBytes(4).toString('hex');
const run: RunEnv = {
  natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  databaseUrl: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/seckill',
  authSecret: randomBytes(24).toString('hex'),
  subjectPrefix: `bench_${runId}`,
  peerKey: `bench-sio-${runId}`,
};
const userPrefix = `bench-${runId}`;
const fmt = (value: number, digits = 3) => value.toFixed(digits);

async function main() {
  const fdLimit = Number(spawnSync('sh', ['-c', 'ulimit -n']).stdout.toString().trim()) || Number.POSITIVE_INFINITY;
  // The bare server holds all N sessions in one process.
  const sessions = Math.min(requestedSessions, fdLimit - NODE_FD_OVERHEAD);
  if (sessions < requestedSessions) {
    process.stderr.write(
      `note: open-file limit ${fdLimit} caps the bare server at ${sessions} sessions (asked for ${requestedSessions})\n`,
    );
  }
  const receiverCount = Math.min(sessions, Math.max(1, Number(values.receivers)));
  const receivers = Array.from({ length: receiverCount }, (_, i) => `${userPrefix}-${i}`);

  const [pushNodes, peerNodes, bare] = await Promise.all([startPushNodes(run, NODES), startPeerNodes(run, NODES), startBareServer()]);
  const { process: emitterProcess, emitter } = await startEmitter(run, bare.url);
  const tokenFor = createUserTokenSigner(run.authSecret);
  const sides: Record<Side, SideUnderTest> = {
    push: {
      target: { kind: 'push', urls: pushNodes.map((node) => node.url), tokenFor },
      nodes: pushNodes.map((node) => node.process.child),
      broker: brokerListeningOn('nats', run.natsUrl, 4222),
    },
    peer: {
      target: { kind: 'peer', urls: peerNodes.map((node) => node.url), tokenFor },
      nodes: peerNodes.map((node) => node.process.child),
      broker: brokerListeningOn('redis', run.redisUrl, 6379),
    },
    bare: { target: { kind: 'bare', urls: [bare.url] }, nodes: [bare.process.child] },
  };
  const rounds = createDeliveryRounds({ sides, emitter, receivers, ratePerSecond });

  const idle = {} as Record<Side, IdleSide>;
  for (const side of SIDES) {
    idle[side] = await holdIdleSessions(sides[side], {
      sessions,
      receivers,
      onTicket: rounds.onTicket,
      authSecret: run.authSecret,
      userPrefix,
    });
  }

  await rounds.warmUp(warmupMessages);
  const perRound = Math.ceil(messages / ROUNDS);
  await rounds.run(ROUNDS, perRound);
  const latency = Object.fromEntries(SIDES.map((side) => [side, latencySummary(side, rounds.results[side].latencies)])) as Record<
    Side,
    { p50: number; p99: number }
  >;

  const lags = await Promise.all(pushNodes.map(async (node) => (await fetch(node.metricsUrl)).text()));
  const lagMs = (name: string) =>
    fmt(Math.max(...lags.map((metrics) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(metrics)?.[1]))) * 1000, 1);
  await Promise.all(SIDES.map((side) => idle[side].close()));

  const kills = {} as Record<'push' | 'peer', NodeKillOutcome>;
  for (const side of ['push', 'peer'] as const) {
    kills[side] = await runNodeKill({
      side,
      target: sides[side].target,
      victim: sides[side].nodes[0]!,
      emitter,
      userIds: Array.from({ length: killUsers }, (_, i) => `${userPrefix}-kill-${side}-${i}`),
      eventsPerUser: killEventsPerUser,
      ratePerSecond,
      saleId: `bench${runId}${side}`,
    });
  }
  await emitter.cleanup();
  await stopProcesses([...pushNodes, ...peerNodes, bare].map((node) => node.process).concat(emitterProcess));

  const cpu = (side: Side, group?: Parameters<typeof cpuPerDeliveryUs>[1]) => fmt(cpuPerDeliveryUs(rounds.results[side], group), 1);
  const cpuParts = (side: Side) => {
    const broker = sides[side].broker;
    return `nodes ${cpu(side, 'nodes')} emitter ${cpu(side, 'emitter')}${broker ? ` ${broker.name} ${cpu(side, 'broker')}` : ''}`;
  };
  const connect = (side: Side) => `${fmt(idle[side].connectSeconds, 2)} (${Math.round(sessions / idle[side].connectSeconds)} sessions/s)`;
  const kill = (side: 'push' | 'peer') => {
    const outcome = kills[side];
    return `${outcome.events} final states to ${killUsers} users of the killed node, ${outcome.afterKill} emitted after the SIGKILL; missed ${outcome.missed} (${outcome.missedBeforeKill} of them emitted before it); not reconnected ${outcome.notReconnected}`;
  };

  console.log(`sessions ${sessions} per side, over ${NODES} nodes (ours, peer) or one bare server`);
  console.log(`connect-seconds ${connect('push')}`);
  console.log(`bare-connect-seconds ${connect('bare')}`);
  console.log(`rss-before-kib ${idle.push.rssBefore.join(' ')}`);
  console.log(`rss-after-kib ${idle.push.rssAfter.join(' ')}`);
  console.log(`rss-per-session-kib ${fmt(idle.push.perSessionKib, 2)}`);
  console.log(
    `messages ${perRound * ROUNDS} per side to ${receiverCount} receivers at ${ratePerSecond}/s, ${ROUNDS} alternating rounds, emitted from one separate process`,
  );
  console.log(`push-latency-ms p50 ${fmt(latency.push.p50)} p99 ${fmt(latency.push.p99)}`);
  console.log(
    `node-eventloop-lag-ms p99 ${lagMs('nodejs_eventloop_lag_p99_seconds')} max ${lagMs('nodejs_eventloop_lag_max_seconds')} (worst of ${NODES} nodes)`,
  );
  console.log(`bare-latency-ms p50 ${fmt(latency.bare.p50)} p99 ${fmt(latency.bare.p99)}`);
  console.log(`bare-rss-per-session-kib ${fmt(idle.bare.perSessionKib, 2)}`);
  console.log(`peer: socket.io 4 + @socket.io/redis-adapter, ${NODES} nodes, events from @socket.io/redis-emitter`);
  console.log(`peer-connect-seconds ${connect('peer')}`);
  console.log(`peer-rss-before-kib ${idle.peer.rssBefore.join(' ')}`);
  console.log(`peer-rss-after-kib ${idle.peer.rssAfter.join(' ')}`);
  console.log(`peer-rss-per-session-kib ${fmt(idle.peer.perSessionKib, 2)}`);
  console.log(`peer-latency-ms p50 ${fmt(latency.peer.p50)} p99 ${fmt(latency.peer.p99)}`);
  console.log(`cpu-per-delivery-us ours ${cpu('push')} peer ${cpu('peer')} bare ${cpu('bare')}`);
  console.log(`cpu-per-delivery-us-parts ours: ${cpuParts('push')}; peer: ${cpuParts('peer')}; bare: ${cpuParts('bare')}`);
  console.log(`node-kill ours: ${kill('push')}`);
  console.log(`node-kill peer: ${kill('peer')}`);
  console.log(`missed-after-node-kill ours ${kills.push.missed} peer ${kills.peer.missed}`);
  console.log(
    'missed-why: the redis adapter is pub/sub only, so an event emitted to a room while its user is between nodes reaches no one and nothing replays it ' +
      '(socket.io connection state recovery needs an adapter that stores packets, not this one); ours records the final state in Redis before publishing and sends it in the snapshot on every (re)connect',
  );
  console.log(`ratio ${fmt(latency.push.p99 / latency.bare.p99, 2)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
