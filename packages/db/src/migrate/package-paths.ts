import path from 'node:path';

// src/migrate and dist/migrate sit at the same depth, so these hold for source and build alike.
export const packageRoot = path.resolve(__dirname, '..', '..');
export const schemaPath = path.join(packageRoot, 'prisma', 'schema.prisma');
export const migrationsDir = path.join(packageRoot, 'prisma', 'migrations');
