import pg from 'pg';
import { createTemporaryDatabase, type TemporaryDatabase } from '../../test/temporary-database';
import { migrate } from './migrate';

describe('migrate', () => {
  let database: TemporaryDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTemporaryDatabase();
    client = new pg.Client({ connectionString: database.databaseUrl });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  const MIGRATIONS = ['0001_init', '0002_ticket_epochs_closed_tickets', '0003_payment_claims', '0004_sale_lottery_and_challenge'];

  it('applies every migration to an empty database, then has nothing left to apply', async () => {
    await expect(migrate({ databaseUrl: database.databaseUrl })).resolves.toEqual({ appliedMigrationNames: MIGRATIONS });
    await expect(migrate({ databaseUrl: database.databaseUrl })).resolves.toEqual({ appliedMigrationNames: [] });
  });

  it('records the migrations in _prisma_migrations, as prisma migrate deploy would', async () => {
    const { rows } = await client.query(
      'SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows).toEqual(MIGRATIONS.map((name) => ({ migration_name: name, finished_at: expect.any(Date), rolled_back_at: null })));
  });

  it('creates the tables, the enums and the constraints', async () => {
    const { rows: tables } = await client.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.map((row) => row.table_name)).toEqual(['_prisma_migrations', 'closed_tickets', 'orders', 'sales']);

    const { rows: enumValues } = await client.query('SELECT unnest(enum_range(NULL::order_status))::text AS value');
    expect(enumValues.map((row) => row.value)).toEqual(['PENDING_PAYMENT', 'PAID', 'EXPIRED']);

    const { rows: constraints } = await client.query(
      "SELECT conname FROM pg_constraint WHERE conrelid IN ('sales'::regclass, 'orders'::regclass) ORDER BY conname",
    );
    expect(constraints.map((row) => row.conname)).toEqual(['orders_pkey', 'orders_sale_id_fkey', 'sales_pkey', 'sales_stock_non_negative']);

    const { rows: indexes } = await client.query("SELECT indexname FROM pg_indexes WHERE tablename = 'orders' ORDER BY indexname");
    expect(indexes.map((row) => row.indexname)).toEqual([
      'orders_pkey',
      'orders_sale_id_user_id_key',
      'orders_status_expires_at_idx',
      'orders_ticket_id_key',
      'orders_user_id_idx',
    ]);
  });
});
