import { bundlePageScript, pageEntry } from './page-bundle';

/** The shop page script (and the SDK it imports). */
export const SHOP_ENTRY = pageEntry('shop');

export interface ShopScripts {
  /** `/shop.js`: the page and the SDK. */
  shop: string;
  /** `/challenge-worker.js`: the Web Worker solving purchase challenges off the page's main thread. */
  challengeWorker: string;
}

/** Bundle the page script and the challenge worker into browser files (once, at start). */
export async function bundleShopScripts(options: { minify?: boolean } = {}): Promise<ShopScripts> {
  const [shop, challengeWorker] = await Promise.all([
    bundlePageScript(SHOP_ENTRY, options),
    bundlePageScript(require.resolve('@seckill/client/challenge-worker'), options),
  ]);
  return { shop, challengeWorker };
}
