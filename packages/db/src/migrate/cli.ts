// Usage (needs node --experimental-wasm-modules; `pnpm run migrate|diff` passes it):
//   cli migrate [--json]        apply pending migrations to $DATABASE_URL
//   cli diff [--create <name>]  print (or write as a new migration) the SQL from migrations to schema
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { databaseUrlFromEnv } from '../database-url';
import { applyPendingMigrations } from './apply-migrations';
import { diffMigrationsToSchema, isEmptyMigration } from './diff-migrations';
import { writeMigration } from './migrations-folder';

const usage = 'Usage: cli migrate [--json] | cli diff [--create <name>]';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    // `pnpm run diff -- --create x` forwards the `--`; it would turn the options into positionals.
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, create: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new Error(usage);
  const databaseUrl = databaseUrlFromEnv();

  switch (positionals[0]) {
    case 'migrate': {
      const appliedMigrationNames = await applyPendingMigrations({ databaseUrl });
      if (values.json) console.log(JSON.stringify({ appliedMigrationNames }));
      else if (appliedMigrationNames.length === 0) console.log('No pending migrations.');
      else for (const name of appliedMigrationNames) console.log(`Applied ${name}`);
      return;
    }
    case 'diff': {
      const sql = await diffMigrationsToSchema({ databaseUrl });
      if (values.create === undefined) {
        process.stdout.write(sql);
      } else if (isEmptyMigration(sql)) {
        console.error('Schema and migrations agree: no migration created.');
      } else {
        const file = await writeMigration(values.create, sql);
        console.log(`Created ${relative(process.cwd(), file)}`);
      }
      return;
    }
    default:
      throw new Error(usage);
  }
}

// Exit explicitly: the engine's connection pool may otherwise keep the process alive.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
