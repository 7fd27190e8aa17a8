import { createChannelSolver, type ChallengeSolver } from './solver';

interface WorkerLike {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  terminate(): void;
}

/**
 * Solves challenges in a browser Web Worker loaded from `workerUrl` (a bundle of
 * `src/challenge/browser-worker.ts`), so the page stays responsive while it hashes.
 */
export function createWebWorkerChallengeSolver(options: { workerUrl: string }): ChallengeSolver & { close(): void } {
  return createChannelSolver(() => {
    const WorkerClass = (globalThis as { Worker?: new (url: string) => WorkerLike }).Worker;
    if (!WorkerClass) throw new Error('no Web Worker here: use another challenge solver');
    const worker = new WorkerClass(options.workerUrl);
    return {
      post: (message) => worker.postMessage(message),
      onAnswer: (listener) => (worker.onmessage = (event) => listener(event.data as Parameters<typeof listener>[0])),
      terminate: () => worker.terminate(),
    };
  });
}
