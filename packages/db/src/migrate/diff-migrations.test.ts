import { createTemporaryDatabase, type TemporaryDatabase } from '../../test/temporary-database';
import { runMigrationCli } from './run-cli';

describe('diff', () => {
  let database: TemporaryDatabase;

  beforeAll(async () => {
    database = await createTemporaryDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  // Catches a schema.prisma change committed without its migration (`pnpm run diff --create <name>`).
  it('finds nothing to add: the migrations folder already produces schema.prisma', async () => {
    const sql = await runMigrationCli(['diff'], { databaseUrl: database.databaseUrl });
    expect(sql.trim()).toBe('-- This is an empty migration.');
  });
});
