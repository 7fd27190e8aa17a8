/** What one shot of the herd ended with. */
export interface ShotOutcome<Tag extends string = string> {
  tag: Tag;
  /** ms since the herd was fired (all shots are started at 0). */
  startedAt: number;
  answeredAt: number;
  /** HTTP status, 0 when no answer arrived. */
  status: number;
  /** Error code of the `{ error: { code } }` body, when there was one. */
  code?: string;
}

export interface HerdResult<Tag extends string> {
  /** Epoch ms at which every shot was started. */
  firedAt: number;
  outcomes: Array<ShotOutcome<Tag>>;
  /** First shot started → last shot answered. */
  spanMs: number;
}

export interface Shot<Tag extends string> {
  tag: Tag;
  /** Sends the request and tells how it was answered. */
  fire(): Promise<{ status: number; code?: string }>;
}

/**
 * The thundering herd: wait for `at` (epoch ms), then start every shot in the same
 * tick, so they all compete for the pool's connections and the server's accept queue
 * at once. The same function measures the purchases and the hello-world baseline.
 */
export async function fireHerd<Tag extends string>(
  shots: ReadonlyArray<Shot<Tag>>,
  options: { at?: number } = {},
): Promise<HerdResult<Tag>> {
  const at = options.at ?? Date.now();
  const wait = at - Date.now();
  if (wait > 20) await new Promise((resolve) => setTimeout(resolve, wait - 10));
  while (Date.now() < at) {
    // spin the last few milliseconds so the herd leaves on the dot
  }
  const firedAt = Date.now();
  const t0 = performance.now();
  const pending = shots.map(async (shot): Promise<ShotOutcome<Tag>> => {
    try {
      const answer = await shot.fire();
      return { tag: shot.tag, startedAt: 0, answeredAt: performance.now() - t0, ...answer };
    } catch (error) {
      return { tag: shot.tag, startedAt: 0, answeredAt: performance.now() - t0, status: 0, code: errorName(error) };
    }
  });
  const outcomes = await Promise.all(pending);
  const spanMs = outcomes.reduce((max, outcome) => Math.max(max, outcome.answeredAt), 0);
  return { firedAt, outcomes, spanMs };
}

function errorName(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.message : String(error);
}
