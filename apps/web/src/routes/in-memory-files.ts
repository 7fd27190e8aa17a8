import type { FastifyInstance } from 'fastify';

/** Small files held in memory, served with `no-cache` (a few page files do not need a static-file plugin). */
export function serveInMemoryFiles(app: FastifyInstance, files: Record<string, { type: string; body: string }>): void {
  for (const [url, file] of Object.entries(files)) {
    app.get(url, async (_request, reply) => reply.type(file.type).header('cache-control', 'no-cache').send(file.body));
  }
}
