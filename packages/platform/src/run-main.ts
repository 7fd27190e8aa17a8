/**
 * Run an app's `main`; a failure to start (a dependency unreachable, a port taken) prints why and
 * exits 1, so a supervisor sees the crash instead of a process hanging half-started.
 */
export function runMain(appName: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${appName}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
