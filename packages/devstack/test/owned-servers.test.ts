import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPrismaClient } from '@seckill/db';
import { connectNats, createRedis } from '@seckill/platform';
import { waitFor } from '@seckill/platform/testing';
import { startOwnedNats, startOwnedPostgres, startOwnedRedis, type OwnedServer } from '../src';

// Servers of our own on spare ports, for fault tests: never the machine's shared ones.
describe('owned servers', () => {
  let dir: string;
  const servers: OwnedServer[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'devstack-owned-'));
    // The cluster runs as the postgres user when we are root: it must reach its folder.
    await chmod(dir, 0o755);
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await rm(dir, { recursive: true, force: true });
  });
  const own = async (start: Promise<OwnedServer>) => {
    const server = await start;
    servers.push(server);
    return server;
  };

  it('restarts Redis empty on the same port (a total loss)', async () => {
    const server = await own(startOwnedRedis({ dir: path.join(dir, 'redis') }));
    expect(server.port).not.toBe(6379);
    const redis = createRedis(server.address, { name: 'owned-redis-test' });
    try {
      await redis.set('kept?', 'yes');
      const pid = server.pid();
      const times = await server.restart();
      expect(server.pid()).not.toBe(pid);
      expect(times.readyAt).toBeGreaterThanOrEqual(times.stoppedAt);
      expect(await redis.get('kept?')).toBeNull();
    } finally {
      redis.disconnect();
    }
  });

  it('freezes NATS (nothing is answered) and thaws it', async () => {
    const server = await own(startOwnedNats({ dir: path.join(dir, 'nats') }));
    const nats = await connectNats({ url: server.address, name: 'owned-nats-test' });
    try {
      server.freeze();
      // SIGSTOP lands asynchronously: wait until the kernel shows the process stopped (state T).
      await waitFor(() => (processState(server.pid()) === 'T' ? true : undefined), { what: 'nats-server to stop' });
      const frozen = await Promise.race([
        nats.flush().then(() => 'answered'),
        new Promise((resolve) => setTimeout(() => resolve('no answer'), 500)),
      ]);
      server.thaw();
      expect(frozen).toBe('no answer');
      await nats.flush();
    } finally {
      await nats.close();
    }
  });

  it('restarts PostgreSQL with its data', async () => {
    const server = await own(startOwnedPostgres({ dir: path.join(dir, 'postgres'), database: 'owned' }));
    expect(server.address).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/owned$/);
    const prisma = createPrismaClient({ databaseUrl: server.address });
    try {
      await prisma.$executeRawUnsafe('CREATE TABLE kept (id int)');
      await prisma.$executeRawUnsafe('INSERT INTO kept VALUES (1)');
      await server.restart();
      expect(await prisma.$queryRawUnsafe('SELECT id FROM kept')).toEqual([{ id: 1 }]);
    } finally {
      await prisma.$disconnect();
    }
  }, 60_000);
});

/** The state letter of /proc/<pid>/stat (R running, S sleeping, T stopped...). */
function processState(pid: number): string | undefined {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}
