import type { Redis } from 'ioredis';

/**
 * Register a Lua script on the client (`defineCommand`: EVALSHA, falling back to EVAL once
 * after a script flush) and return a typed caller taking the keys, then the arguments.
 */
export function defineRedisScript<Result>(
  redis: Redis,
  name: string,
  numberOfKeys: number,
  lua: string,
): (keys: readonly string[], args: readonly (string | number)[]) => Promise<Result> {
  const commands = redis as unknown as Record<string, ((...params: (string | number)[]) => Promise<Result>) | undefined>;
  if (typeof commands[name] !== 'function') redis.defineCommand(name, { numberOfKeys, lua });
  return (keys, args) => {
    if (keys.length !== numberOfKeys) throw new Error(`${name} takes ${numberOfKeys} keys, got ${keys.length}`);
    return (commands[name] as (...params: (string | number)[]) => Promise<Result>)(...keys, ...args);
  };
}
