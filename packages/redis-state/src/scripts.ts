import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Cluster } from 'ioredis';
import type { RedisClient } from './redis-client';
import { createReplicaAck } from './replica-ack';

interface ScriptSpec {
  file: string;
  /** Its key count; -1: variable, passed first in each call. */
  keys: number;
  /** From its reply, whether it wrote what must outlive a failover (default: always). */
  wrote?: (reply: unknown) => boolean;
  /** Files of `lua/lib/` put before it. */
  uses?: readonly string[];
}

/** Every Lua script, by the name of its file in `lua/`. */
const SCRIPTS = {
  loadSale: { file: 'load-sale', keys: 5 },
  endRecovery: { file: 'end-recovery', keys: 1 },
  // A refused purchase only counts against its rate limits: no wait for those.
  admitTicket: {
    file: 'admit-ticket',
    keys: 8,
    uses: ['issue-ticket'],
    wrote: (reply) => Array.isArray(reply) && (reply[0] === 'ADMITTED' || reply[0] === 'PREQUEUED'),
  },
  drawPrequeue: { file: 'draw-prequeue', keys: 8, uses: ['issue-ticket'] },
  cancelTicket: { file: 'cancel-ticket', keys: 5 },
  claimTickets: { file: 'claim-tickets', keys: -1 },
  recordResults: { file: 'record-results', keys: -1 },
  sweepOutbox: { file: 'sweep-outbox', keys: 6 },
  returnExpiredTokens: { file: 'return-expired-tokens', keys: -1 },
  restoreTickets: { file: 'restore-tickets', keys: 3 },
  updateSale: { file: 'update-sale', keys: 5 },
  endSale: { file: 'end-sale', keys: 2 },
} satisfies Record<string, ScriptSpec>;

export type ScriptName = keyof typeof SCRIPTS;
export type ScriptCall = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

const sources = new Map<ScriptName, string>();
function source(name: ScriptName): string {
  let lua = sources.get(name);
  if (lua === undefined) {
    const script: ScriptSpec = SCRIPTS[name];
    const { file, uses = [] } = script;
    const read = (relative: string) => readFileSync(path.join(__dirname, 'lua', `${relative}.lua`), 'utf8');
    lua = [...uses.map((library) => read(path.join('lib', library))), read(file)].join('\n');
    sources.set(name, lua);
  }
  return lua;
}

/**
 * The scripts as commands of this client (ioredis `defineCommand`: EVALSHA, falling back to EVAL
 * once after a script flush or a Redis restart). Defined once per client. On a Redis Cluster, a
 * script that wrote returns once a replica has its writes (replica-ack.ts).
 */
export function redisScripts(redis: RedisClient): Record<ScriptName, ScriptCall> {
  const commands = redis as unknown as Record<string, ((...params: (string | number)[]) => Promise<unknown>) | undefined>;
  const calls = {} as Record<ScriptName, ScriptCall>;
  const replicated = redis instanceof Cluster ? createReplicaAck(redis) : undefined;
  if (redis.isCluster) {
    // Auto-pipelining routes a call by the slot of its first argument, which for a variable key
    // count is the count: such calls go on their own, routed by their keys (this client only).
    const variableKeys = (Object.keys(SCRIPTS) as ScriptName[]).filter((name) => SCRIPTS[name].keys < 0).map((name) => `seckill_${name}`);
    redis.options.autoPipeliningIgnoredCommands = [...new Set([...(redis.options.autoPipeliningIgnoredCommands ?? []), ...variableKeys])];
  }
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
    const command = `seckill_${name}`;
    const spec: ScriptSpec = SCRIPTS[name];
    const numberOfKeys = spec.keys;
    if (typeof commands[command] !== 'function') {
      // A variable key count is passed as the first argument of each call.
      redis.defineCommand(command, numberOfKeys >= 0 ? { numberOfKeys, lua: source(name) } : { lua: source(name) });
    }
    calls[name] = async (keys, args) => {
      if (numberOfKeys >= 0 && keys.length !== numberOfKeys) throw new Error(`${name} takes ${numberOfKeys} keys, got ${keys.length}`);
      const run = commands[command] as (...params: (string | number)[]) => Promise<unknown>;
      const reply = await (numberOfKeys >= 0 ? run.call(redis, ...keys, ...args) : run.call(redis, keys.length, ...keys, ...args));
      if (replicated && keys[0] !== undefined && (spec.wrote?.(reply) ?? true)) await replicated(keys[0]);
      return reply;
    };
  }
  return calls;
}
