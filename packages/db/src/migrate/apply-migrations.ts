import { readMigrationsFolder } from './migrations-folder';
import { noExternalEntities, openSchemaEngine } from './schema-engine';

/**
 * Applies pending migrations and records them in `_prisma_migrations`, exactly like
 * `prisma migrate deploy`; already-applied ones are skipped, so a second run is a no-op.
 * Needs --experimental-wasm-modules: call `migrate()` from ordinary code instead.
 */
export async function applyPendingMigrations({ databaseUrl }: { databaseUrl: string }): Promise<string[]> {
  const engine = await openSchemaEngine({ databaseUrl });
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList: await readMigrationsFolder(),
      filters: noExternalEntities,
    });
    return appliedMigrationNames;
  } finally {
    engine.free();
  }
}
