import { withDeadline } from './deadline';

export type ProbeOutcome = { up: true } | { up: false; error: string };

/**
 * Run every readiness probe at once, each with a deadline: a probe that throws, rejects or
 * does not answer within `timeoutMs` is down. One slow dependency never holds up `/readyz`.
 */
export async function probeDependencies<Name extends string>(
  probes: Record<Name, () => unknown>,
  timeoutMs = 1_000,
): Promise<Record<Name, ProbeOutcome>> {
  const entries = await Promise.all(
    (Object.entries(probes) as [Name, () => unknown][]).map(async ([name, probe]) => {
      try {
        await withDeadline(Promise.resolve().then(probe), timeoutMs, name);
        return [name, { up: true }] as const;
      } catch (error) {
        return [name, { up: false, error: String(error) }] as const;
      }
    }),
  );
  return Object.fromEntries(entries) as Record<Name, ProbeOutcome>;
}
