import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsync } from 'fastify';
import { readPageStylesheet, readPublicFile, serveInMemoryFiles } from './in-memory-files';

/**
 * The live sale dashboard: its page and style from public/, uPlot's stylesheet, and `/dashboard.js`
 * (bundled at start). The page holds no data: everything it shows comes from the gateway's admin
 * API, which wants the admin token the operator types in.
 */
export const dashboardRoutes: FastifyPluginAsync<{ dashboardScript: string }> = async (app, options) => {
  const [html, css, uplotCss] = await Promise.all([
    readPublicFile('dashboard.html'),
    readPageStylesheet('dashboard.css'),
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
