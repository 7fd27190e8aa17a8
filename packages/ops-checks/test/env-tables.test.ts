import { describeEnv } from '@seckill/platform';
import { configSchemas } from './apps';
import { APP_NAMES, envTableReadmes } from './env-tables';

describe('the env tables of the app READMEs', () => {
  it.each(envTableReadmes())(
    '$app: README.md shows what src/config.ts declares (`pnpm env-tables --write` rewrites it)',
    ({ current, expected }) => {
      expect(current).toBe(expected);
    },
  );

  it.each(APP_NAMES)('%s: every variable has a description', (app) => {
    const undescribed = describeEnv(configSchemas[app]).filter((variable) => !variable.description);
    expect(undescribed.map((variable) => variable.name)).toEqual([]);
  });
});
