// The Web Worker that solves purchase challenges off the page's main thread. Bundle it as its own
// file (the shop page serves it as /challenge-worker.js) and pass its URL to
// `createWebWorkerChallengeSolver`.
import { sha256 } from '@noble/hashes/sha2';
import { solveChallenge } from './solver';

const scope = globalThis as unknown as {
  onmessage: ((event: { data: { id: number; challenge: string; difficulty: number } }) => void) | null;
  postMessage(message: unknown): void;
};
scope.onmessage = ({ data: { id, challenge, difficulty } }) => {
  try {
    scope.postMessage({ id, solution: solveChallenge(challenge, difficulty, sha256) });
  } catch (error) {
    scope.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
