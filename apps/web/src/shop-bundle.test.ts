import { bundleShopScript } from './shop-bundle';

describe('shop bundle', () => {
  it('bundles the page script and the SDK into one browser file', async () => {
    const script = await bundleShopScript({ minify: false });
    expect(script).toContain('createSeckillClient');
    expect(script).toContain('buy-button');
    expect(script).not.toMatch(/require\(["']/);
    expect(script).not.toMatch(/ZodError/);
  });

  it('stays small minified', async () => {
    expect((await bundleShopScript()).length).toBeLessThan(40_000);
  });
});
