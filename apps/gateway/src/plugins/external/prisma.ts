import { createPrismaClient, type PrismaClient } from '@seckill/db';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    prisma: PrismaClient;
  }
}

/** PostgreSQL through Prisma: sales and orders (the source of truth). */
export default fp<{ databaseUrl: string }>(
  async (fastify, options) => {
    const prisma = createPrismaClient({ databaseUrl: options.databaseUrl });
    fastify.decorate('prisma', prisma);
    fastify.addHook('onClose', async () => {
      await prisma.$disconnect();
    });
  },
  { name: 'prisma' },
);
