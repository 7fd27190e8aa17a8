/**
 * A shard of idle sessions for bench/push.ts, in its own process so the bench
 * is not bound by one process's open-file limit. Env: TARGET (push|bare),
 * TARGET_URL or TARGET_PORT, AUTH_SECRET, USER_PREFIX, FROM, TO.
 * Prints `ready <count>` once every session is open; drops them and exits on SIGTERM.
 */
import { createUserTokenSigner } from '@seckill/platform';
import { openSessions, type SessionTarget } from './sessions';

async function main() {
  const env = process.env;
  const from = Number(env.FROM);
  const to = Number(env.TO);
  const userIds = Array.from({ length: to - from }, (_, i) => `${env.USER_PREFIX}-${from + i}`);
  const target: SessionTarget =
    env.TARGET === 'push'
      ? { kind: 'push', url: env.TARGET_URL!, tokenFor: createUserTokenSigner(env.AUTH_SECRET!) }
      : { kind: 'bare', port: Number(env.TARGET_PORT) };
  const sockets = await openSessions(target, userIds);
  process.stdout.write(`ready ${sockets.length}\n`);
  process.once('SIGTERM', () => {
    for (const socket of sockets) socket.terminate();
    process.exit(0);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`idle clients failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
