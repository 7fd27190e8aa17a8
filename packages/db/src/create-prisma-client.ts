import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';

/**
 * A PrismaClient over node-postgres (Prisma 7 has no Rust query engine; the driver adapter
 * does the I/O). A factory, not a singleton: each app owns its client and `$disconnect`s it.
 */
export function createPrismaClient({ databaseUrl }: { databaseUrl: string }): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
}
