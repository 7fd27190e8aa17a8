import { readMigrationsFolder } from './migrations-folder';
import { noExternalEntities, openSchemaEngine, readSchema } from './schema-engine';

/**
 * The SQL a new migration needs: from the state the migrations folder produces to schema.prisma.
 * The engine replays the folder in a temporary shadow database created through `databaseUrl`
 * (so that role needs CREATEDB); the database itself is not changed.
 */
export async function diffMigrationsToSchema({ databaseUrl }: { databaseUrl: string }): Promise<string> {
  const engine = await openSchemaEngine({ databaseUrl });
  try {
    const { stdout } = await engine.diff({
      from: { tag: 'migrations', ...(await readMigrationsFolder()) },
      to: { tag: 'schemaDatamodel', files: [await readSchema()] },
      script: true,
      exitCode: null,
      filters: noExternalEntities,
    });
    return stdout ?? '';
  } finally {
    engine.free();
  }
}

/** The engine answers "-- This is an empty migration." when nothing changed. */
export function isEmptyMigration(sql: string): boolean {
  return sql.split('\n').every((line) => line.trim() === '' || line.trim().startsWith('--'));
}
