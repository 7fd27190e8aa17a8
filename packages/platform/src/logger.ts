import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * One pino setup for every app. Pretty output only when a person is watching
 * (stdout is a TTY); JSON lines otherwise, whatever NODE_ENV says.
 */
export function createLogger(options: { name: string; level?: string }): Logger {
  const pretty = process.stdout.isTTY === true;
  return pino({
    name: options.name,
    level: options.level ?? 'info',
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } } } : {}),
  });
}
