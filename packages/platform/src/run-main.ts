import type { z } from 'zod';
import { loadConfigOrExit } from './config';
import { createLogger, type Logger } from './logger';
import { installGracefulShutdown } from './shutdown';

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

/** What every app's config has for `runService` (`env.server` and `env.shutdownTimeoutMs`). */
export interface ServiceConfig {
  PORT: number;
  HOST: string;
  LOG_LEVEL: string;
  SHUTDOWN_TIMEOUT_MS: number;
}

/** What an app's `start` hands back: its HTTP server, and what else to close after the server. */
export interface StartedService {
  server: { listen(options: { port: number; host: string }): Promise<unknown>; close(): Promise<unknown> };
  close?: () => Promise<void>;
}

/**
 * An app's `main.ts` in one call: config (exit 1 naming each bad variable), logger, the app's own
 * `start`, graceful shutdown (the server, then `close`, then the tracing exporter, within
 * `SHUTDOWN_TIMEOUT_MS`), listen on `HOST:PORT`.
 */
export function runService<Schema extends z.ZodType<ServiceConfig>>(options: {
  name: string;
  configSchema: Schema;
  tracing?: { shutdown(): Promise<void> };
  start: (context: { config: z.infer<Schema>; logger: Logger }) => Promise<StartedService>;
}): void {
  runMain(options.name, async () => {
    const config = loadConfigOrExit(options.configSchema, options.name);
    const logger = createLogger({ name: options.name, level: config.LOG_LEVEL });
    const service = await options.start({ config, logger });
    installGracefulShutdown({
      logger,
      delayMs: config.SHUTDOWN_TIMEOUT_MS,
      close: async () => {
        await service.server.close();
        await service.close?.();
        await options.tracing?.shutdown();
      },
    });
    await service.server.listen({ port: config.PORT, host: config.HOST });
  });
}
