import { bundlePageScript, pageEntry } from './page-bundle';

describe('dashboard bundle', () => {
  it('bundles the dashboard with its charting library and stream client, without zod', async () => {
    const script = await bundlePageScript(pageEntry('dashboard'), { minify: false });
    expect(script).toContain('uPlot');
    expect(script).toContain('text/event-stream');
    expect(script).toContain('/stats/stream');
    expect(script).not.toMatch(/require\(["']/);
    expect(script).not.toMatch(/ZodError/);
  });

  it('stays small minified', async () => {
    expect((await bundlePageScript(pageEntry('dashboard'))).length).toBeLessThan(90_000);
  });
});
