import { bundlePageScript, pageEntry } from './page-bundle';

/** The shop page script (and the SDK it imports). */
export const SHOP_ENTRY = pageEntry('shop');

export const bundleShopScript = (options: { minify?: boolean } = {}) => bundlePageScript(SHOP_ENTRY, options);
