/** `what` did not settle within its deadline (the work itself may still finish later). */
export class DeadlineExceededError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer in ${ms} ms`);
    this.name = 'DeadlineExceededError';
  }
}

/** Settle like `work`, or reject with DeadlineExceededError after `ms`: nothing waits on a stalled dependency unboundedly. */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(what, ms)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
