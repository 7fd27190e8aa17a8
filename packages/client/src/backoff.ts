export interface BackoffOptions {
  /** Delay ceiling of the first retry, ms. */
  initialMs: number;
  /** No delay exceeds this, ms. */
  maxMs: number;
  /** Growth per attempt. */
  factor?: number;
  /** Uniform [0, 1) source; injectable so tests are deterministic. */
  random?: () => number;
}

/**
 * Exponential backoff with "equal jitter": half the exponential step is kept,
 * the other half is random, so clients that lost the same node spread out
 * without any of them retrying at once.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const factor = options.factor ?? 2;
  const random = options.random ?? Math.random;
  const ceiling = Math.min(options.maxMs, options.initialMs * factor ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
