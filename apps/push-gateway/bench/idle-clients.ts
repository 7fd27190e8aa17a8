/**
 * A shard of idle sessions for bench/push.ts, in its own process so the bench is not bound by
 * one process's open-file limit. Env: TARGET (push|peer|bare), TARGET_URLS (comma list),
 * AUTH_SECRET, USER_PREFIX, FROM, TO. Prints `ready <count>` once every session is open;
 * exits on SIGTERM (the kernel drops the sockets).
 */
import { createUserTokenSigner } from '@seckill/platform';
import { openSessions, type SessionTarget } from './sessions';

async function main() {
  const env = process.env;
  const from = Number(env.FROM);
  const to = Number(env.TO);
  const userIds = Array.from({ length: to - from }, (_, i) => `${env.USER_PREFIX}-${from + i}`);
  const urls = env.TARGET_URLS!.split(',');
  const target: SessionTarget =
    env.TARGET === 'bare'
      ? { kind: 'bare', urls }
      : { kind: env.TARGET === 'peer' ? 'peer' : 'push', urls, tokenFor: createUserTokenSigner(env.AUTH_SECRET!) };
  const sessions = await openSessions(target, userIds, { firstIndex: from });
  process.stdout.write(`ready ${sessions.length}\n`);
  process.once('SIGTERM', () => process.exit(0));
}

main().catch((error: unknown) => {
  process.stderr.write(`idle clients failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
