/** The database `infra up` creates on this machine; every default of DATABASE_URL is this one. */
export const localDatabaseUrl = 'postgresql://postgres@127.0.0.1:5432/seckill';

/** DATABASE_URL from `env` (this process's by default), or the local database when it is unset or empty. */
export function databaseUrlFromEnv(env: Record<string, string | undefined> = process.env): string {
  return env.DATABASE_URL || localDatabaseUrl;
}
