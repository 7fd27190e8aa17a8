import path from 'node:path';
import { createSale as createStackSale, freshOrderTopics, startStack, type Stack } from '@seckill/devstack';
import { uniqueName } from '@seckill/platform/testing';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from './chromium';

const WEB_PORT = 17080;
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PAYMENT_WINDOW_MS = 15_000;

// The whole system as real processes (gateway, order-worker, push-gateway, web) with a
// fresh Kafka topic, driven through Debian's Chromium like a shopper would.
describe('the shop page in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    stack = await startStack({
      web: true,
      // Ports of their own: e2e uses 13000.., the load test 14000.., the SDK integration test 16000..
      basePorts: { gateway: 17000, pushGateway: 17001, worker: 17100, web: WEB_PORT },
      env: {
        LOG_LEVEL: 'warn',
        // A first click may land while a freshly started gateway still lags; shedding is tested in the gateway.
        SHED_EVENT_LOOP_DELAY_MS: '0',
        ALLOWED_ORIGINS: `http://127.0.0.1:${WEB_PORT}`,
        // Orders expire 15 s after they are placed, so the page's EXPIRED can be seen.
        PAYMENT_WINDOW_MS: String(PAYMENT_WINDOW_MS),
        EXPIRY_SWEEP_INTERVAL_MS: '500',
        ...(await freshOrderTopics('web')),
      },
    });
    browser = await launchChromium();
  }, 120_000);

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function createSale(options: {
    stock: number;
    startsInMs?: number;
    prequeue?: boolean;
    challengeDifficulty?: number;
  }): Promise<string> {
    const startsAt = Date.now() + (options.startsInMs ?? -1_000);
    const sale = await createStackSale(stack.gatewayUrls[0]!, stack.env.ADMIN_TOKEN!, {
      name: 'Limited sneakers',
      stock: options.stock,
      startsAt: new Date(startsAt).toISOString(),
      ...(options.prequeue ? { prequeueOpensAt: new Date(Date.now() - 1_000).toISOString() } : {}),
      ...(options.challengeDifficulty ? { challengeDifficulty: options.challengeDifficulty } : {}),
    });
    return sale.id;
  }

  async function openShop(saleId: string, device: typeof PHONE | typeof DESKTOP): Promise<Page> {
    context = await browser.newContext(device);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${stack.webUrl}/?sale=${saleId}`);
    await page.waitForSelector('#sale-clock[data-phase]:not([data-phase=""])');
    return page;
  }

  /** Wait for the ticket to show `status`; on timeout, say what the page showed instead. */
  async function ticketShows(page: Page, status: string): Promise<Locator> {
    const locator = page.locator(`#ticket-status[data-status="${status}"]`);
    try {
      await locator.waitFor();
      return locator;
    } catch (error) {
      const shown = await page.evaluate(() => ({
        ticket: document.querySelector('#ticket-status')?.getAttribute('data-status'),
        connection: document.querySelector('#connection')?.getAttribute('data-status'),
        message: `${document.querySelector('#message')?.getAttribute('data-code') ?? ''} ${document.querySelector('#message')?.textContent ?? ''}`,
      }));
      throw new Error(`the ticket never showed ${status}; the page showed ${JSON.stringify(shown)}`, { cause: error });
    }
  }

  async function signIn(page: Page): Promise<void> {
    await page.fill('#login-name', uniqueName('shopper').replace(/[^A-Za-z0-9_-]/g, '-'));
    await page.click('#login-button');
    await page.waitForSelector('#signed-in:not([hidden])');
  }

  it('signs in, buys, and shows the pushed success', async () => {
    const saleId = await createSale({ stock: 20 });
    const page = await openShop(saleId, DESKTOP);
    await signIn(page);
    await page.waitForSelector('#connection[data-status="ready"]');
    await page.click('#buy-button:not([disabled])');

    const status = await ticketShows(page, 'SUCCEEDED');
    expect(await status.getAttribute('data-via')).toBe('push');
    expect(await page.textContent('#ticket-number')).toMatch(/^\d+$/);
    expect(await page.textContent('#ticket-detail')).toMatch(/^Order /);
    expect(await page.isVisible('#cancel-button')).toBe(false);
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-push-success-desktop.png'), fullPage: true });
  });

  it('walks a lottery with bot friction: pre-queue, drawn number, bought, paid', async () => {
    const saleId = await createSale({ stock: 5, startsInMs: 12_000, prequeue: true, challengeDifficulty: 12 });
    const page = await openShop(saleId, DESKTOP);
    await signIn(page);
    await page.waitForSelector('#sale-clock[data-phase="PREQUEUE"]');
    expect(await page.textContent('#sale-clock')).toMatch(/^Pre-queue open · the order is drawn in /);
    expect(await page.textContent('#buy-button')).toBe('Join the pre-queue');
    // Joining solves the purchase challenge in the Web Worker first.
    await page.click('#buy-button:not([disabled])');

    await page.waitForSelector('#ticket-status[data-status="PREQUEUED"]');
    expect(await page.textContent('#ticket-status')).toBe('You are in the pre-queue; the order is drawn at the start.');
    expect(await page.textContent('#ticket-wait')).toMatch(/^1 shopper in the pre-queue · drawn in \d+ s$/);
    expect(await page.textContent('#buy-button')).toBe('In the pre-queue…');
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-lottery-prequeue-desktop.png'), fullPage: true });

    // The start: the SDK asks again and shows the drawn number.
    await page.waitForSelector('#ticket-number:text-matches("^[0-9]+$")', { timeout: 30_000 });
    expect(await page.textContent('#ticket-number')).toBe('1');
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-lottery-drawn-desktop.png'), fullPage: true });

    await page.waitForSelector('#order-status[data-status="PENDING_PAYMENT"]');
    expect(await page.textContent('#order-deadline')).toMatch(/^Pay within \d+ s$/);
    await page.waitForSelector('#stock-text:text-matches("^4 of 5 left")');
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-pay-now-desktop.png'), fullPage: true });
    await page.click('#pay-button:not([disabled])');
    await page.waitForSelector('#order-status[data-status="PAID"]');
    expect(await page.textContent('#order-status')).toBe('Paid. Thank you!');
    expect(await page.isVisible('#pay-button')).toBe(false);
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-paid-desktop.png'), fullPage: true });
  }, 60_000);

  it('counts the payment deadline down and says EXPIRED, and the item goes back on sale', async () => {
    const saleId = await createSale({ stock: 3 });
    const page = await openShop(saleId, PHONE);
    await signIn(page);
    await page.click('#buy-button:not([disabled])');
    await page.waitForSelector('#order-status[data-status="PENDING_PAYMENT"]');
    await page.waitForSelector('#stock-text:text-matches("^2 of 3 left")');
    const deadline = await page.textContent('#order-deadline');
    await page.waitForTimeout(1_500);
    expect(await page.textContent('#order-deadline')).not.toBe(deadline);
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-pay-now-phone.png'), fullPage: true });

    await page.waitForSelector('#order-status[data-status="EXPIRED"]', { timeout: PAYMENT_WINDOW_MS + 15_000 });
    expect(await page.isVisible('#pay-button')).toBe(false);
    await page.waitForSelector('#stock-text:text-matches("^3 of 3 left")');
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-expired-phone.png'), fullPage: true });
  }, 60_000);

  it('still shows the result through polling when the WebSocket port is closed', async () => {
    const saleId = await createSale({ stock: 20 });
    context = await browser.newContext(PHONE);
    // Hand the page a push node on a port where nothing listens.
    await context.route('**/config.json', (route) =>
      route.fulfill({ json: { pushUrls: ['ws://127.0.0.1:9/ws'], saleId: null, demoLogin: true } }),
    );
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${stack.webUrl}/?sale=${saleId}`);
    await signIn(page);
    await page.waitForSelector('#connection[data-status="reconnecting"], #connection[data-status="connecting"]');
    await page.click('#buy-button:not([disabled])');

    // Without push the result only comes with a poll, so the queued ticket is on screen first.
    await page.waitForSelector('#ticket-status[data-status="QUEUED"]');
    expect(await page.textContent('#ticket-wait')).toMatch(/^(You are next|\d+ (person|people) ahead), about \d+/);
    expect(await page.isVisible('#cancel-button')).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-queued-phone.png'), fullPage: true });

    const status = await ticketShows(page, 'SUCCEEDED');
    expect(await status.getAttribute('data-via')).toBe('poll');
    expect(await page.getAttribute('#connection', 'data-status')).not.toBe('ready');
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-polling-success-phone.png'), fullPage: true });
  });

  it('says the sale has not started yet and keeps the buy button off', async () => {
    const saleId = await createSale({ stock: 5, startsInMs: 3_600_000 });
    const page = await openShop(saleId, PHONE);
    await signIn(page);
    expect(await page.getAttribute('#sale-clock', 'data-phase')).toBe('UPCOMING');
    expect(await page.textContent('#sale-clock')).toMatch(/^Starts in /);
    expect(await page.isDisabled('#buy-button')).toBe(true);
    expect(await page.textContent('#buy-button')).toBe('Not started yet');
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-not-started-phone.png'), fullPage: true });
  });

  it('tells the shopper when the sale is sold out', async () => {
    const saleId = await createSale({ stock: 1 });
    const first = await openShop(saleId, DESKTOP);
    await signIn(first);
    await first.click('#buy-button:not([disabled])');
    await first.waitForSelector('#ticket-status[data-status="SUCCEEDED"]');
    await context!.close();

    const second = await openShop(saleId, DESKTOP);
    await signIn(second);
    await second.waitForSelector('#sale-clock[data-phase="SOLD_OUT"]');
    expect(await second.textContent('#sale-clock')).toBe('Sold out');
    expect(await second.textContent('#buy-button')).toBe('Sold out');
    await second.screenshot({ path: path.join(ARTIFACTS, 'web-sold-out-desktop.png'), fullPage: true });
  });
});
