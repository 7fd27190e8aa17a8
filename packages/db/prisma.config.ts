// Prisma 7 reads the datasource URL from here (https://pris.ly/d/config-datasource).
// Only the `prisma` CLI uses this file; our own migrate/diff scripts take DATABASE_URL directly.
import { defineConfig } from 'prisma/config';
import { databaseUrlFromEnv } from './src/database-url';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: {
    // A default keeps `prisma generate` working without any env.
    url: databaseUrlFromEnv(),
  },
});
