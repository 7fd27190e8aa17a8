import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import { migrationsDir } from './package-paths';

// Prisma's folder format (https://pris.ly/d/migrate): <dir>/<name>/migration.sql + migration_lock.toml.
const lockfileName = 'migration_lock.toml';
const migrationFileName = 'migration.sql';

/** Loads the migrations folder into the shape the schema engine expects (the Prisma CLI does the same). */
export async function readMigrationsFolder(baseDir = migrationsDir): Promise<MigrationList> {
  const entries = await readdir(baseDir, { withFileTypes: true });
  // Names start with a sortable prefix (0001_, or a UTC timestamp), so name order is apply order.
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return {
    baseDir,
    lockfile: { path: lockfileName, content: await readFile(path.join(baseDir, lockfileName), 'utf8').catch(() => null) },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      names.map(async (name) => ({
        path: name,
        migrationFile: {
          path: migrationFileName,
          content: await readFile(path.join(baseDir, name, migrationFileName), 'utf8').then(
            (value) => ({ tag: 'ok' as const, value }),
            (error: Error) => ({ tag: 'error' as const, value: error.message }),
          ),
        },
      })),
    ),
  };
}

/** Writes `<UTC yyyymmddhhmmss>_<name>/migration.sql`, the folder name `prisma migrate dev` would use. */
export async function writeMigration(name: string, sql: string, baseDir = migrationsDir): Promise<string> {
  const timestamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
  if (!slug) throw new Error(`Invalid migration name: ${JSON.stringify(name)}`);
  const directory = path.join(baseDir, `${timestamp}_${slug}`);
  await mkdir(directory, { recursive: false });
  const file = path.join(directory, migrationFileName);
  await writeFile(file, sql.endsWith('\n') ? sql : `${sql}\n`);
  return file;
}
