/**
 * How a shopper reacts to a purchase that got no answer (a connection cut by a killed gateway,
 * no answer within their patience) or a 503: they press again after a short backoff, on another
 * gateway when there are several (a load balancer sends them elsewhere), a bounded number of times.
 */
export interface PressAgainPolicy {
  /** Presses in all, the first one included. */
  attempts: number;
  /** A press with no answer after this long is given up (and pressed again). */
  patienceMs: number;
}

export const DEFAULT_PRESS_AGAIN: PressAgainPolicy = { attempts: 5, patienceMs: 10_000 };

/** One press's outcome: an HTTP status (0: no answer) and the error code, if any. */
export interface PressOutcome {
  startedAt: number;
  answeredAt: number;
  status: number;
  code?: string;
  /** The gateway's own time (Server-Timing), when it answered. */
  serverMs?: number;
}

/** No answer at all, or 503 (the gateway's "nothing was reserved, try again"). */
export function shouldPressAgain(status: number): boolean {
  return status === 0 || status === 503;
}

/** 250 ms, 500 ms, 1 s, 2 s, 2 s...: with ±25 % jitter, so a crowd does not return in step. */
export function pressAgainDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(2_000, 250 * 2 ** (attempt - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}

/**
 * Press (`send` to a gateway) until an answer that is not worth pressing again, or the attempts
 * run out; every press goes to the next gateway in the list. Resolves with every press made.
 */
export async function pressUntilAnswered<T extends PressOutcome>(
  send: (gatewayUrl: string, attempt: number) => Promise<T>,
  options: { gatewayUrls: readonly string[]; firstGateway: number; policy: PressAgainPolicy; sleep?: (ms: number) => Promise<void> },
): Promise<T[]> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const presses: T[] = [];
  for (let attempt = 1; attempt <= options.policy.attempts; attempt++) {
    const gatewayUrl = options.gatewayUrls[(options.firstGateway + attempt - 1) % options.gatewayUrls.length]!;
    const outcome = await send(gatewayUrl, attempt);
    presses.push(outcome);
    if (!shouldPressAgain(outcome.status) || attempt === options.policy.attempts) break;
    await sleep(pressAgainDelayMs(attempt));
  }
  return presses;
}
