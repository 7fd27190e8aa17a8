import { challengePreimage, hasLeadingZeroBits, type PurchaseChallenge } from '@seckill/contracts';

/** Finds the solution of a purchase challenge (a decimal number; see `challengePreimage`). */
export type ChallengeSolver = (challenge: Pick<PurchaseChallenge, 'challenge' | 'difficulty'>) => Promise<string>;

/** A SHA-256 of bytes, sync (the solving loop runs it about 2^difficulty times). */
export type Sha256 = (bytes: Uint8Array) => Uint8Array;

/** The solving loop: where it runs (a worker) is the caller's choice. */
export function solveChallenge(challenge: string, difficulty: number, sha256: Sha256): string {
  const encoder = new TextEncoder();
  for (let n = 0; ; n++) {
    const solution = String(n);
    if (hasLeadingZeroBits(sha256(encoder.encode(challengePreimage(challenge, solution))), difficulty)) return solution;
  }
}

/**
 * The fallback when no worker solver is given: WebCrypto (browsers, Node 20) on the calling
 * thread, which it leaves between hashes (each digest is awaited), but slower than a worker.
 */
export function createInlineChallengeSolver(): ChallengeSolver {
  return async ({ challenge, difficulty }) => {
    const subtle = (globalThis as { crypto?: { subtle?: { digest(algorithm: string, data: Uint8Array): Promise<ArrayBuffer> } } }).crypto
      ?.subtle;
    if (!subtle) throw new Error('no WebCrypto here to solve the purchase challenge: pass a challenge solver');
    const encoder = new TextEncoder();
    for (let n = 0; ; n++) {
      const digest = new Uint8Array(await subtle.digest('SHA-256', encoder.encode(challengePreimage(challenge, String(n)))));
      if (hasLeadingZeroBits(digest, difficulty)) return String(n);
    }
  };
}

/** Request/answer pairs over a worker's message channel, one worker for every solve. */
export interface SolverChannel {
  post(message: { id: number; challenge: string; difficulty: number }): void;
  onAnswer(listener: (answer: { id: number; solution?: string; error?: string }) => void): void;
  terminate(): void;
  /** Whether a solve is pending (a Node worker thread holds the process open only then). */
  setBusy?(busy: boolean): void;
}

/** A solver over a worker (browser Web Worker or Node worker thread), created on first use. */
export function createChannelSolver(open: () => SolverChannel): ChallengeSolver & { close(): void } {
  let channel: SolverChannel | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve(solution: string): void; reject(error: Error): void }>();
  const solver = ({ challenge, difficulty }: Pick<PurchaseChallenge, 'challenge' | 'difficulty'>) =>
    new Promise<string>((resolve, reject) => {
      if (!channel) {
        channel = open();
        channel.onAnswer(({ id, solution, error }) => {
          const waiting = pending.get(id);
          pending.delete(id);
          if (pending.size === 0) channel?.setBusy?.(false);
          if (solution !== undefined) waiting?.resolve(solution);
          else waiting?.reject(new Error(error ?? 'the challenge worker failed'));
        });
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      channel.setBusy?.(true);
      channel.post({ id, challenge, difficulty });
    });
  return Object.assign(solver, {
    close() {
      channel?.terminate();
      channel = undefined;
      for (const waiting of pending.values()) waiting.reject(new Error('the challenge solver was closed'));
      pending.clear();
    },
  });
}
