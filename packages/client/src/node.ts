// `@seckill/client/node`: what only runs on Node (kept out of the browser bundle).
import { Worker } from 'node:worker_threads';
import { challengePreimage, hasLeadingZeroBits } from '@seckill/contracts';
import { createChannelSolver, type ChallengeSolver } from './challenge/solver';

// The worker's code, self-contained: the two contract helpers travel as their source text.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hasLeadingZeroBits = ${hasLeadingZeroBits.toString()};
const challengePreimage = ${challengePreimage.toString()};
parentPort.on('message', ({ id, challenge, difficulty }) => {
  for (let n = 0; ; n++) {
    const digest = createHash('sha256').update(challengePreimage(challenge, String(n))).digest();
    if (hasLeadingZeroBits(digest, difficulty)) return parentPort.postMessage({ id, solution: String(n) });
  }
});`;

/** Solves purchase challenges in a worker thread, off the event loop (one thread per solver). */
export function createWorkerThreadChallengeSolver(): ChallengeSolver & { close(): void } {
  return createChannelSolver(() => {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    return {
      // An idle solver kept for later must not hold the process open.
      setBusy: (busy) => (busy ? worker.ref() : worker.unref()),
      post: (message) => worker.postMessage(message),
      onAnswer: (listener) => worker.on('message', listener),
      terminate: () => void worker.terminate(),
    };
  });
}
