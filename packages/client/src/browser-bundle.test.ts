import path from 'node:path';
import { build } from 'esbuild';

describe('browser bundle', () => {
  it('bundles for the browser small, with no Node built-in and no zod', async () => {
    const result = await build({
      entryPoints: [path.join(__dirname, 'index.ts')],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      target: 'es2020',
      conditions: ['@seckill/source'],
      minify: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/require\(["'](node:|ws|events|crypto)/);
    expect(code).toContain('createSeckillClient');
    // zod would be ~450 KB of a shop page that thousands load in the same second.
    expect(code).not.toMatch(/zod|ZodError/);
    expect(code.length).toBeLessThan(30_000);
  });
});
