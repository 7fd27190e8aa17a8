import path from 'node:path';
import { build } from 'esbuild';

/** The page script (and the SDK it imports), in the repo as TypeScript whether we run from src/ or dist/. */
export const SHOP_ENTRY = path.resolve(__dirname, '../src/page/shop.ts');

/**
 * Bundle the page script with esbuild into one browser file. Done once at start
 * (it takes a fraction of a second), so dev and production serve the same thing.
 */
export async function bundleShopScript(options: { minify?: boolean } = {}): Promise<string> {
  const result = await build({
    entryPoints: [SHOP_ENTRY],
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
  return result.outputFiles[0]!.text;
}
