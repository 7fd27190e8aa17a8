import type { FastifyPluginAsync } from 'fastify';
import type { ShopScripts } from '../shop-bundle';
import { readPageStylesheet, readPublicFile, serveInMemoryFiles } from './in-memory-files';

/**
 * The page: two small files from public/ held in memory, `/shop.js`, the page script with the
 * SDK, and `/challenge-worker.js`, bundled once at start. (Four files do not need a static-file plugin.)
 */
export const shopRoutes: FastifyPluginAsync<{ scripts: ShopScripts }> = async (app, options) => {
  const [html, css] = await Promise.all([readPublicFile('index.html'), readPageStylesheet('shop.css')]);
  const files: Record<string, { type: string; body: string }> = {
    '/': { type: 'text/html; charset=utf-8', body: html },
    '/index.html': { type: 'text/html; charset=utf-8', body: html },
    '/shop.css': { type: 'text/css; charset=utf-8', body: css },
    '/shop.js': { type: 'text/javascript; charset=utf-8', body: options.scripts.shop },
    '/challenge-worker.js': { type: 'text/javascript; charset=utf-8', body: options.scripts.challengeWorker },
  };
  serveInMemoryFiles(app, files);
};
