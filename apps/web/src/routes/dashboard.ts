import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { serveInMemoryFiles } from './in-memory-files';

const PUBLIC_DIR = path.resolve(__dirname, '../../public');

/**
 * The live sale dashboard: its page and style from public/, uPlot's stylesheet, and `/dashboard.js`
 * (bundled at start). The page holds no data: everything it shows comes from the gateway's admin
 * API, which wants the admin token the operator types in.
 */
export const dashboardRoutes: FastifyPluginAsync<{ dashboardScript: string }> = async (app, options) => {
  const [html, css, uplotCss] = await Promise.all([
    readFile(path.join(PUBLIC_DIR, 'dashboard.html'), 'utf8'),
    readFile(path.join(PUBLIC_DIR, 'dashboard.css'), 'utf8'),
    readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  ]);
  const files: Record<string, { type: string; body: string }> = {
    '/dashboard': { type: 'text/html; charset=utf-8', body: html },
    '/dashboard.css': { type: 'text/css; charset=utf-8', body: css },
    '/dashboard/uplot.css': { type: 'text/css; charset=utf-8', body: uplotCss },
    '/dashboard.js': { type: 'text/javascript; charset=utf-8', body: options.dashboardScript },
  };
  serveInMemoryFiles(app, files);
};
