import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate } from '@seckill/db';
import { startOwnedKafka, startOwnedNats, startOwnedPostgres, startOwnedRedis, type OwnedServer } from '@seckill/devstack';

export type OwnedServers = Partial<Record<OwnedServer['kind'], OwnedServer>>;

export interface OwnedSet {
  servers: OwnedServers;
  /** The apps' addresses of the owned servers (KAFKA_BROKERS, REDIS_URL, NATS_URL, DATABASE_URL). */
  env: Record<string, string>;
  /** Stop every server and delete its files, bounded in time; never throws. */
  stop(): Promise<void>;
}

const ENV_NAME: Record<OwnedServer['kind'], string> = {
  kafka: 'KAFKA_BROKERS',
  redis: 'REDIS_URL',
  nats: 'NATS_URL',
  postgres: 'DATABASE_URL',
};
const STOP_BOUND_MS = 30_000;

/**
 * Start, in parallel, the servers of the run's own that its faults act on, on spare loopback
 * ports, in a temporary folder. The PostgreSQL cluster gets the project's migrations.
 */
export async function startOwnedServers(kinds: ReadonlyArray<OwnedServer['kind']>, runId: string): Promise<OwnedSet> {
  const root = path.join(tmpdir(), `seckill-loadtest-${runId}`);
  const start: Record<OwnedServer['kind'], () => Promise<OwnedServer>> = {
    kafka: () => startOwnedKafka({ dir: path.join(root, 'kafka') }),
    redis: () => startOwnedRedis({ dir: path.join(root, 'redis') }),
    nats: () => startOwnedNats({ dir: path.join(root, 'nats') }),
    postgres: async () => {
      const server = await startOwnedPostgres({ dir: path.join(root, 'postgres'), database: 'seckill' });
      await migrate({ databaseUrl: server.address }).catch(async (error: unknown) => {
        await server.stop();
        throw error;
      });
      return server;
    },
  };
  const started = await Promise.allSettled(kinds.map((kind) => start[kind]()));
  const servers: OwnedServers = {};
  started.forEach((outcome, i) => outcome.status === 'fulfilled' && (servers[kinds[i]!] = outcome.value));
  const stop = async () => {
    const stops = Object.values(servers).map((server) => server.stop().catch(() => undefined));
    await Promise.race([Promise.all(stops), new Promise((resolve) => setTimeout(resolve, STOP_BOUND_MS).unref())]);
    await rm(root, { recursive: true, force: true }).catch(() => undefined);
  };
  const failed = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) {
    await stop();
    throw new Error(
      `could not start the run's own servers: ${failed.reason instanceof Error ? failed.reason.message : String(failed.reason)}`,
    );
  }
  return {
    servers,
    env: Object.fromEntries(Object.values(servers).map((server) => [ENV_NAME[server.kind], server.address])),
    stop,
  };
}
