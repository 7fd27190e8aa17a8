import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

const PUBLIC_DIR = path.resolve(__dirname, '../../public');

/** A file of public/. */
export function readPublicFile(name: string): Promise<string> {
  return readFile(path.join(PUBLIC_DIR, name), 'utf8');
}

/** A page's stylesheet: public/base.css (what every page shares) followed by the page's own, served as one file. */
export async function readPageStylesheet(name: string): Promise<string> {
  const [base, page] = await Promise.all([readPublicFile('base.css'), readPublicFile(name)]);
  return `${base}\n${page}`;
}

/** Small files held in memory, served with `no-cache` (a few page files do not need a static-file plugin). */
export function serveInMemoryFiles(app: FastifyInstance, files: Record<string, { type: string; body: string }>): void {
  for (const [url, file] of Object.entries(files)) {
    app.get(url, async (_request, reply) => reply.type(file.type).header('cache-control', 'no-cache').send(file.body));
  }
}
