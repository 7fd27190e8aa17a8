import closeWithGrace from 'close-with-grace';
import type { Logger } from './logger';

/**
 * On SIGTERM/SIGINT (or an uncaught error) run `close` once, then exit; a second
 * signal or `delayMs` without finishing forces the exit.
 */
export function installGracefulShutdown(options: { logger: Logger; delayMs?: number; close: () => Promise<void> }): void {
  closeWithGrace({ delay: options.delayMs ?? 10_000 }, async ({ signal, err }) => {
    if (err) options.logger.error({ err }, 'shutting down after an error');
    else options.logger.info({ signal }, 'shutting down');
    await options.close();
  });
}
