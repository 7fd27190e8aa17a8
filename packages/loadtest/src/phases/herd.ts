import { createSale } from '@seckill/devstack';
import type { Answer } from '../crowd-shard';
import { sleep } from '../wait';
import { scheduleFaults, type Chaos } from '../fault-injector';
import type { HerdFigures } from '../report';
import type { Target } from '../target';
import { herdFigures, SYNC_MARGIN_MS } from './baseline';
import { onEveryShard, sum, type RunContext } from './context';
import { herdSizes, type Crowd } from './shoppers';

/** A click this long before the sale opens must be refused with 403. */
const EARLY_CLICK_MS = 1_000;

export interface Sale {
  saleId: string;
  startsAt: number;
}

/** The pools' connections to every gateway are warmed, then the sale opens `--start-delay` ms later. */
export async function openSale(run: RunContext, target: Target, crowd: Crowd): Promise<Sale> {
  const { options } = run;
  // Before the sale exists, so a slow warm-up cannot eat the time before it opens.
  await Promise.all(crowd.shards.map((shard) => shard.warmup({ urls: target.gatewayUrls.map((url) => `${url}/healthz`) })));
  const startsAt = Date.now() + options.startDelayMs;
  const { id: saleId } = await createSale(target.gatewayUrls[0]!, requireEnv(target.env, 'ADMIN_TOKEN'), {
    name: `loadtest ${run.runId}`,
    stock: options.stock,
    ...(options.queueCapacity === undefined ? {} : { queueCapacity: options.queueCapacity }),
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(startsAt + Math.max(3_600_000, options.timeoutMs * 2)).toISOString(),
  });
  run.log(`sale ${saleId}: ${options.stock} items, opens in ${options.startDelayMs} ms`);
  return { saleId, startsAt };
}

export interface Herd {
  /** Epoch ms every shard fired at. */
  herdAt: number;
  earlyAnswers: Answer[];
  answers: Answer[];
  admission: HerdFigures;
  forcedDisconnects: number;
  chaos: Chaos;
}

/**
 * A few eager shoppers click before the start (403); then every click, malformed request and
 * bad token of every shard leaves at one instant, with the faults scheduled from that instant
 * (handed to `onScheduled` at once, so a run that fails meanwhile still waits for them to end).
 */
export async function fireTheHerd(
  run: RunContext,
  target: Target,
  crowd: Crowd,
  sale: Sale,
  onScheduled: (chaos: Chaos) => void,
): Promise<Herd> {
  const { saleId } = sale;
  await sleep(Math.max(0, sale.startsAt - EARLY_CLICK_MS - Date.now()));
  const earlyAnswers = (await Promise.all(crowd.shards.map((shard) => shard.fireEarly({ saleId })))).flat();

  const total = sum(herdSizes(crowd), (n) => n);
  run.log(`firing ${total} requests at once...`);
  const herdAt = Math.max(sale.startsAt + 20, Date.now() + SYNC_MARGIN_MS);
  const chaos = scheduleFaults(run.options.chaos, target, { herdAt, saleId }, run.log);
  onScheduled(chaos);
  const parts = await onEveryShard(run, crowd.shards, { title: 'thundering herd', total, count: (p) => p.answered }, (shard) =>
    shard.fireHerd({ saleId, at: herdAt }),
  );
  const answers = parts.flatMap((part) => part.answers);
  const admission = herdFigures(answers, herdAt);
  const tickets = sum(await Promise.all(crowd.shards.map((shard) => shard.counts())), (c) => c.accepted);
  run.log(`herd answered in ${Math.round(admission.spanMs)} ms: ${admission.reqPerSec} req/s, ${tickets} tickets`);
  return { herdAt, earlyAnswers, answers, admission, forcedDisconnects: sum(parts, (part) => part.forcedDisconnects), chaos };
}

export function requireEnv(env: Record<string, string>, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set (environment or .env)`);
  return value;
}
