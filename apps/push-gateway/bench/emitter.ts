/**
 * The event source of bench/push.ts, in its own process as the order worker is: ours publishes
 * on each user's NATS subject (recording final states in Redis first, as the worker does, when
 * a burst asks for it), the peer emits to the user's room through @socket.io/redis-emitter, the
 * bare baseline writes to its control socket. Driven over IPC (bench/emitter-protocol.ts).
 * Env: NATS_URL, NATS_SUBJECT_PREFIX, REDIS_URL, PEER_KEY, BARE_URL.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { toTicketEvent, userTicketSubject, type TicketEvent } from '@seckill/contracts';
import { connectNats, createRedis, type Redis } from '@seckill/platform';
import { createRedisState, redisKeys, type TicketResult } from '@seckill/redis-state';
import { Emitter } from '@socket.io/redis-emitter';
import WebSocket from 'ws';
import { epochNow, peerRoom, roundEvent, roundReceiver, type EmitterCommand, type EmitterReply, type Side } from './emitter-protocol';

/** Leftovers of a run that died before its cleanup expire on their own. */
const RESULT_TTL_SECONDS = 600;

async function main() {
  const env = process.env;
  const nats = await connectNats({ url: env.NATS_URL!, name: 'push-bench-emitter' });
  // The project's ioredis setup (auto-pipelining) for both: the worker's state and the peer's emitter.
  const redis = createRedis(env.REDIS_URL!, { name: 'push-bench-emitter' }) as Redis; // the bench runs on one Redis (it scans keys)
  const redisState = createRedisState({ redis, resultTtlSeconds: RESULT_TTL_SECONDS });
  const peerRedis = createRedis(env.REDIS_URL!, { name: 'push-bench-peer-emitter' });
  const peer = new Emitter(peerRedis, { key: env.PEER_KEY! });
  const bare = new WebSocket(`${env.BARE_URL}/control`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => bare.once('open', resolve).once('error', reject));

  const send: Record<Side, (userId: string, event: TicketEvent) => void> = {
    push: (userId, event) => nats.publish(userTicketSubject(userId, env.NATS_SUBJECT_PREFIX), JSON.stringify(event)),
    // socket.io serialises the object itself (`42["ticket",{...}]` on the wire).
    peer: (userId, event) => peer.to(peerRoom(userId)).emit('ticket', event),
    bare: (userId, event) => bare.send(`${userId}\n${JSON.stringify(event)}`),
  };
  const burstSales = new Set<string>();
  const burstUsers = new Set<string>();

  async function round(command: Extract<EmitterCommand, { kind: 'round' }>): Promise<EmitterReply> {
    const sentAt: number[] = new Array(command.count);
    await paced(command.count, command.ratePerSecond, (from, to) => {
      for (let i = from; i < to; i += 1) {
        const event = roundEvent(command.label, i);
        sentAt[i] = epochNow();
        send[command.side](roundReceiver(command.receivers, i), event);
      }
    });
    return { kind: 'round-done', sentAt };
  }

  async function burst(command: Extract<EmitterCommand, { kind: 'burst' }>): Promise<EmitterReply> {
    let killPointSent = false;
    await paced(command.events.length, command.ratePerSecond, async (from, to) => {
      const results: TicketResult[] = command.events.slice(from, to).map((ticket) => ({
        ...ticket,
        status: 'SUCCEEDED',
        orderId: `order-${ticket.ticketId}`,
        at: Date.now(),
      }));
      if (command.side === 'push') {
        // What the worker does before publishing, so a snapshot can restore what the wire lost.
        await redisState.recordResults(results);
        for (const result of results) {
          burstSales.add(result.saleId);
          burstUsers.add(result.userId);
        }
      }
      for (const result of results) send[command.side](result.userId, toTicketEvent(result, result.at));
      if (!killPointSent && to >= command.killAfter) {
        killPointSent = true;
        process.send!({ kind: 'kill-point' } satisfies EmitterReply);
      }
    });
    if (command.side === 'push') await nats.flush();
    return { kind: 'burst-done' };
  }

  async function cleanup(): Promise<EmitterReply> {
    for (const saleId of burstSales) {
      for await (const keys of redis.scanStream({ match: `${redisKeys.saleTag(saleId)}*`, count: 500 }) as AsyncIterable<string[]>) {
        if (keys.length) await redis.del(...keys);
      }
    }
    if (burstUsers.size) await redis.del(...[...burstUsers].map((userId) => redisKeys.userTickets(userId)));
    burstSales.clear();
    burstUsers.clear();
    return { kind: 'cleaned' };
  }

  process.on('message', (command: EmitterCommand) => {
    const work = command.kind === 'round' ? round(command) : command.kind === 'burst' ? burst(command) : cleanup();
    work.then(
      (reply) => process.send!(reply),
      (error: unknown) => {
        process.stderr.write(`emitter failed: ${error instanceof Error ? error.stack : String(error)}\n`);
        process.exit(1);
      },
    );
  });
  process.once('SIGTERM', () => {
    bare.terminate();
    Promise.allSettled([nats.close(), redis.quit(), peerRedis.quit()]).then(() => process.exit(0));
  });
  process.stdout.write('ready\n');
}

/** Calls `emitDue(from, to)` for the items due so far, about every millisecond, until `count` are out. */
async function paced(count: number, ratePerSecond: number, emitDue: (from: number, to: number) => void | Promise<void>): Promise<void> {
  const started = performance.now();
  for (let sent = 0; sent < count;) {
    const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * ratePerSecond) + 1);
    if (due > sent) await emitDue(sent, due);
    sent = due;
    await sleep(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`emitter failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
