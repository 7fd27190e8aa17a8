import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { databaseUrlFromEnv } from '../src/database-url';

// Same server as the app (DATABASE_URL), but maintenance commands go through the `postgres` database.
const serverUrl = new URL(databaseUrlFromEnv());
serverUrl.pathname = '/postgres';

export interface TemporaryDatabase {
  databaseUrl: string;
  drop(): Promise<void>;
}

/** A fresh, empty database with a random name, so test files never see each other's data. */
export async function createTemporaryDatabase(): Promise<TemporaryDatabase> {
  const name = `seckill_test_${randomBytes(6).toString('hex')}`;
  await runOnServer(`CREATE DATABASE "${name}"`);
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${name}`;
  return {
    databaseUrl: databaseUrl.toString(),
    // FORCE: a client a failed test left open must not keep the database alive.
    drop: () => runOnServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function runOnServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl.toString() });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${serverUrl.host} (${(error as Error).message}). ` +
        'Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
      { cause: error },
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
