// The env tables of the apps' READMEs, generated from their config schemas (`pnpm env-tables --write`
// rewrites them; env-tables.test.ts fails when one drifted).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEnvTable } from '@seckill/platform';
import { APP_NAMES, configSchemas, type AppName } from './apps';

export { APP_NAMES };

const REPO_ROOT = join(__dirname, '..', '..', '..');
const START = '<!-- env:start: generated from src/config.ts by `pnpm env-tables --write`; edit the schema, not this table -->';
const END = '<!-- env:end -->';
const BLOCK = /<!-- env:start[^>]*-->[\s\S]*?<!-- env:end -->/;

export function readmePath(app: AppName): string {
  return join(REPO_ROOT, 'apps', app, 'README.md');
}

/** `readme` with its env table (between the markers) as the app's schema says it. */
export function withGeneratedEnvTable(app: AppName, readme: string): string {
  if (!BLOCK.test(readme)) throw new Error(`${readmePath(app)} has no ${END.replace('end', 'start')} ... ${END} block for its env table`);
  return readme.replace(BLOCK, () => `${START}\n\n${renderEnvTable(configSchemas[app])}\n\n${END}`);
}

/** Each app's README as it is, and as it should be. */
export function envTableReadmes(): Array<{ app: AppName; path: string; current: string; expected: string }> {
  return APP_NAMES.map((app) => {
    const path = readmePath(app);
    const current = readFileSync(path, 'utf8');
    return { app, path, current, expected: withGeneratedEnvTable(app, current) };
  });
}
