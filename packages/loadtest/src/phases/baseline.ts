import { startHelloWorld } from '@seckill/devstack';
import type { Answer } from '../crowd-shard';
import type { HerdFigures } from '../report';
import { ratePerSecond, round, summarize } from '../stats';
import type { RunContext } from './context';
import { herdSizes, type Crowd } from './shoppers';

/** Shards wait for a common instant this far ahead, so every shard's herd leaves together. */
export const SYNC_MARGIN_MS = 300;

/** The same herd machinery (shards, pools, instant) against a bare Fastify hello-world. */
export async function measureBaseline(run: RunContext, crowd: Crowd): Promise<HerdFigures> {
  const hello = await startHelloWorld(run.options.basePort + 90);
  try {
    const sizes = herdSizes(crowd);
    const at = Date.now() + SYNC_MARGIN_MS + 200;
    const answers = (
      await Promise.all(
        crowd.shards.map((shard, i) => shard.fireHello({ url: hello.url, count: sizes[i]!, at, warmup: crowd.connectionsPerShard })),
      )
    ).flat();
    const baseline = herdFigures(answers, at);
    run.log(`baseline: bare Fastify hello-world answered ${answers.length} requests at ${baseline.reqPerSec} req/s`);
    return baseline;
  } finally {
    await hello.stop();
  }
}

/** Throughput and latency of one herd fired at `at` (epoch ms): first shot out → last answer in. */
export function herdFigures(answers: readonly Answer[], at: number): HerdFigures {
  const spanMs = answers.reduce((max, a) => Math.max(max, a.answeredAt - at), 0);
  return {
    requests: answers.length,
    spanMs: round(spanMs),
    reqPerSec: ratePerSecond(answers.length, spanMs),
    latency: summarize(answers.map((a) => a.answeredAt - a.startedAt)),
  };
}
