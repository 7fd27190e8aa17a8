import { z } from 'zod';
import { env } from './config';
import { describeEnv, renderEnvTable } from './config-docs';

const schema = z
  .object({
    ...env.server({ port: 3000 }),
    DATABASE_URL: env.databaseUrl,
    KAFKA_BROKERS: env.kafkaBrokers.describe('brokers for this app'),
    ORIGINS: env.list().optional().describe('comma list | unset: any'),
    SWITCH: env.bool(false),
    WORKER_ID: env.name('host-1').meta({ description: 'unique per process', envDefault: '<hostname>-<pid>' }),
  })
  .refine(() => true);

describe('describeEnv', () => {
  it('reads defaults, required variables and descriptions through the wrappers', () => {
    expect(describeEnv(schema)).toEqual([
      { name: 'PORT', required: false, defaultValue: '3000', description: 'listen port' },
      { name: 'HOST', required: false, defaultValue: '127.0.0.1', description: expect.stringContaining('listen address') },
      { name: 'LOG_LEVEL', required: false, defaultValue: 'info', description: expect.stringContaining('pino') },
      { name: 'DATABASE_URL', required: true, defaultValue: undefined, description: expect.stringContaining('PostgreSQL') },
      { name: 'KAFKA_BROKERS', required: false, defaultValue: '127.0.0.1:9092', description: 'brokers for this app' },
      { name: 'ORIGINS', required: false, defaultValue: undefined, description: 'comma list | unset: any' },
      { name: 'SWITCH', required: false, defaultValue: 'false', description: undefined },
      { name: 'WORKER_ID', required: false, defaultValue: '<hostname>-<pid>', description: 'unique per process' },
    ]);
  });
});

describe('renderEnvTable', () => {
  it('writes one Markdown row per variable, pipes escaped', () => {
    const lines = renderEnvTable(schema).split('\n');
    expect(lines.slice(0, 3)).toEqual(['| variable | default | description |', '| --- | --- | --- |', '| `PORT` | `3000` | listen port |']);
    expect(lines).toContain('| `DATABASE_URL` | **required** | PostgreSQL, e.g. `postgresql://postgres@127.0.0.1:5432/seckill` |');
    expect(lines).toContain('| `ORIGINS` | unset | comma list \\| unset: any |');
  });
});
