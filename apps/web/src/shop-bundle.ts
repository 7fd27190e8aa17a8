import path from 'node:path';
import { build } from 'esbuild';

/** The page script (and the SDK it imports), in the repo as TypeScript whether we run from src/ or dist/. */
export const SHOP_ENTRY = path.resolve(__dirname, '../src/page/shop.ts');

export interface ShopScripts {
  /** `/shop.js`: the page and the SDK. */
  shop: string;
  /** `/challenge-worker.js`: the Web Worker solving purchase challenges off the page's main thread. */
  challengeWorker: string;
}

/**
 * Bundle the page script and the challenge worker with esbuild into browser files. Done once at
 * start (it takes a fraction of a second), so dev and production serve the same thing.
 */
export async function bundleShopScripts(options: { minify?: boolean } = {}): Promise<ShopScripts> {
  const result = await build({
    entryPoints: { shop: SHOP_ENTRY, 'challenge-worker': require.resolve('@seckill/client/challenge-worker') },
    outdir: 'out',
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    conditions: ['@seckill/source'],
    minify: options.minify ?? true,
    sourcemap: false,
    logLevel: 'silent',
  });
  const output = (name: string) => result.outputFiles.find((file) => path.basename(file.path) === `${name}.js`)!.text;
  return { shop: output('shop'), challengeWorker: output('challenge-worker') };
}
