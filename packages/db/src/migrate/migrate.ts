import { runMigrationCli } from './run-cli';

export interface MigrateOptions {
  databaseUrl: string;
}

export interface MigrateResult {
  /** Migrations applied by this call; empty when the database was already up to date. */
  appliedMigrationNames: string[];
}

/**
 * Applies pending migrations to `databaseUrl` and records them in `_prisma_migrations`, as
 * `prisma migrate deploy` would. Safe to call on every start or test run: a second call is a no-op.
 */
export async function migrate({ databaseUrl }: MigrateOptions): Promise<MigrateResult> {
  const stdout = await runMigrationCli(['migrate', '--json'], { databaseUrl });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as MigrateResult;
}
