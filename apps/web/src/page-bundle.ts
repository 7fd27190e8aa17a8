import path from 'node:path';
import { build } from 'esbuild';

/** A page script of src/page, in the repo as TypeScript whether we run from src/ or dist/. */
export const pageEntry = (name: string) => path.resolve(__dirname, `../src/page/${name}.ts`);

/**
 * Bundle a page script (and what it imports: the SDK, the charts) with esbuild into one browser
 * file. Done once at start (a fraction of a second), so dev and production serve the same thing.
 */
export async function bundlePageScript(entry: string, options: { minify?: boolean } = {}): Promise<string> {
  const result = await build({
    entryPoints: [entry],
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
