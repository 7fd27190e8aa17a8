import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { CharAsTextClient, restoreCharColumns } from './char-columns';

/**
 * The driver adapter the schema engine runs on: PrismaPg, with "char" columns supported
 * (see char-columns.ts) and our own shadow database.
 * PrismaPg 7.10's connectToShadowDb is unusable here: given a URL, pg lets the URL's database
 * override the shadow's name (the "shadow" silently becomes the real database), and given
 * fields, it drops the shadow before closing its pool, which PostgreSQL refuses.
 */
export function createMigrationAdapterFactory({ databaseUrl }: { databaseUrl: string }) {
  const config: pg.PoolConfig = { ...parseIntoClientConfig(databaseUrl), Client: CharAsTextClient };
  const primary = new PrismaPg(config);
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: primary.provider,
    adapterName: primary.adapterName,
    connect: async () => restoreCharColumns(await primary.connect()),
    connectToShadowDb: async () => restoreCharColumns(await connectToShadowDatabase(config)),
  };
  return bindMigrationAwareSqlAdapterFactory(factory);
}

/** A throwaway database the engine replays migrations into (for `diff`); dropped on dispose. */
async function connectToShadowDatabase(config: pg.PoolConfig): Promise<SqlDriverAdapter> {
  const name = `prisma_migrate_shadow_db_${randomUUID()}`;
  await runAdminStatement(config, `CREATE DATABASE "${name}"`);
  const shadow = await new PrismaPg({ ...config, database: name }).connect();
  const closeShadowPool = shadow.dispose.bind(shadow);
  return Object.assign(shadow, {
    async dispose() {
      await closeShadowPool();
      await runAdminStatement(config, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  });
}

async function runAdminStatement(config: pg.ClientConfig, sql: string): Promise<void> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
