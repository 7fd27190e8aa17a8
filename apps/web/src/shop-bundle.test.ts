import { bundleShopScripts } from './shop-bundle';

describe('shop bundle', () => {
  it('bundles the page script and the SDK into one browser file, and the challenge worker into another', async () => {
    const { shop, challengeWorker } = await bundleShopScripts({ minify: false });
    expect(shop).toContain('createSeckillClient');
    expect(shop).toContain('buy-button');
    for (const script of [shop, challengeWorker]) {
      expect(script).not.toMatch(/require\(["']/);
      expect(script).not.toMatch(/ZodError/);
    }
    expect(challengeWorker).toContain('onmessage');
  });

  it('stays small minified', async () => {
    const { shop, challengeWorker } = await bundleShopScripts();
    expect(shop.length).toBeLessThan(45_000);
    expect(challengeWorker.length).toBeLessThan(15_000);
  });
});
