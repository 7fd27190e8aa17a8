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
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${name} did not answer in ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([Promise.resolve().then(probe), deadline]);
        return [name, { up: true }] as const;
      } catch (error) {
        return [name, { up: false, error: String(error) }] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return Object.fromEntries(entries) as Record<Name, ProbeOutcome>;
}
