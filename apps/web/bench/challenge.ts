// What bot friction costs (README "Bot friction"): one shopper's solve of a purchase challenge at
// DEFAULT_CHALLENGE_DIFFICULTY, in Chromium's Web Worker (what the shop page runs) and in a Node
// worker thread (@seckill/client/node), and so how many purchases one core can fire. Run it
// alone on the machine (flock /tmp/seckill-heavy.lock): it measures CPU.
//   pnpm --filter @seckill/web bench:challenge   (BENCH_SOLVES, BENCH_DIFFICULTY)
import { randomBytes } from 'node:crypto';
import { DEFAULT_CHALLENGE_DIFFICULTY } from '@seckill/contracts';
import { createWorkerThreadChallengeSolver } from '@seckill/client/node';
import { chromium } from 'playwright-core';
import { bundleShopScripts } from '../src/shop-bundle';

const solves = Number(process.env.BENCH_SOLVES ?? 60);
const difficulty = Number(process.env.BENCH_DIFFICULTY ?? DEFAULT_CHALLENGE_DIFFICULTY);
// Shaped like the gateway's: v1.<saleId>.<userId>.<difficulty>.<expiresAtMs>.<nonce>.<mac>.
const challenges = Array.from({ length: solves }, () =>
  [
    'v1',
    '3f1c2d4e-0000-4000-8000-000000000001',
    `shopper-${randomBytes(4).toString('hex')}`,
    difficulty,
    Date.now(),
    randomBytes(12).toString('base64url'),
    randomBytes(32).toString('base64url'),
  ].join('.'),
);

/** Per-solve milliseconds, and hashes per second (each solve of solution n took n + 1 hashes). */
function summarize(name: string, results: Array<{ ms: number; solution: string }>) {
  const ms = results.map((result) => result.ms).sort((a, b) => a - b);
  const totalMs = ms.reduce((sum, value) => sum + value, 0);
  const hashes = results.reduce((sum, result) => sum + Number(result.solution) + 1, 0);
  const hashesPerSecond = hashes / (totalMs / 1000);
  // The solve time is geometric: its mean is 2^difficulty hashes; the measured mean is noisier.
  const expectedMs = (2 ** difficulty / hashesPerSecond) * 1000;
  console.log(
    `${name.padEnd(24)} ${solves} solves at difficulty ${difficulty}: mean ${(totalMs / solves).toFixed(0)} ms, median ${ms[Math.floor(solves / 2)]!.toFixed(0)} ms, ` +
      `p90 ${ms[Math.floor(solves * 0.9)]!.toFixed(0)} ms; ${(hashesPerSecond / 1000).toFixed(0)}k hashes/s -> expected ${expectedMs.toFixed(0)} ms per solve, ` +
      `${(1000 / expectedMs).toFixed(1)} purchases/s per core`,
  );
}

async function inNodeWorkerThread() {
  const solver = createWorkerThreadChallengeSolver();
  const results = [];
  for (const challenge of challenges) {
    const started = performance.now();
    const solution = await solver({ challenge, difficulty });
    results.push({ ms: performance.now() - started, solution });
  }
  solver.close();
  summarize('node worker thread', results);
}

async function inChromiumWebWorker() {
  const { challengeWorker } = await bundleShopScripts();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage();
    const results = await page.evaluate(
      async ({ source, challenges: list, bits }) => {
        const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
        const out: Array<{ ms: number; solution: string }> = [];
        for (const [id, challenge] of list.entries()) {
          const started = performance.now();
          const solution = await new Promise<string>((resolve) => {
            worker.onmessage = (event: MessageEvent<{ solution: string }>) => resolve(event.data.solution);
            worker.postMessage({ id, challenge, difficulty: bits });
          });
          out.push({ ms: performance.now() - started, solution });
        }
        worker.terminate();
        return out;
      },
      { source: challengeWorker, challenges, bits: difficulty },
    );
    summarize('chromium web worker', results);
  } finally {
    await browser.close();
  }
}

async function main() {
  await inChromiumWebWorker();
  await inNodeWorkerThread();
}

void main();
