// Creates .env from .env.example with fresh random secrets, once, so `turbo dev` and
// `npm start` work from a fresh clone without anyone inventing secrets by hand.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = `${root}.env`;
if (!existsSync(target)) {
  const example = readFileSync(`${root}.env.example`, 'utf8');
  const secret = () => randomBytes(32).toString('base64url');
  writeFileSync(
    target,
    example.replace(/^AUTH_SECRET=.*$/m, `AUTH_SECRET=${secret()}`).replace(/^ADMIN_TOKEN=.*$/m, `ADMIN_TOKEN=${secret()}`),
  );
  console.log('created .env with fresh secrets');
}
