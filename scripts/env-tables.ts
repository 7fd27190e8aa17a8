// `pnpm env-tables`: check the env tables of the apps' READMEs against their config schemas (exit 1
// when one drifted); `pnpm env-tables --write` rewrites them. npm test checks the same
// (packages/ops-checks/test/env-tables.test.ts).
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { envTableReadmes } from '../packages/ops-checks/test/env-tables';

const write = process.argv.includes('--write');
let drifted = 0;
for (const { path, current, expected } of envTableReadmes()) {
  if (current === expected) continue;
  drifted += 1;
  if (write) writeFileSync(path, expected);
  console.log(`${write ? 'rewrote' : 'differs'}: ${relative(process.cwd(), path)}`);
}
if (drifted === 0) console.log('env tables up to date');
else if (!write) {
  console.log('run `pnpm env-tables --write`');
  process.exitCode = 1;
}
