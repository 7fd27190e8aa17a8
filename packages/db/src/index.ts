export { createPrismaClient } from './create-prisma-client';
export { migrate, type MigrateOptions, type MigrateResult } from './migrate/migrate';
export { OrderStatus, Prisma, PrismaClient, type Order, type Sale } from './generated/prisma/client';
