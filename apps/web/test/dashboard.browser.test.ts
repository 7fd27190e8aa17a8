import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  freshOrderTopics,
  startNodeProcess,
  startStack,
  stopProcess,
  waitForOutput,
  type NodeProcess,
  type Stack,
} from '@seckill/devstack';
import { waitFor } from '@seckill/platform/testing';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from './chromium';

const LOADTEST_DIR = path.resolve(__dirname, '../../../packages/loadtest');
const WEB_PORT = 18080;
const STOCK = 150;

/** The load test CLI against the running stack (`--external`): a small herd on a sale of its own. */
function startLoadtest(
  stack: Stack,
  out: string,
): { process: NodeProcess; saleId: Promise<string>; exit: Promise<{ code: number | null; output: string }> } {
  const lines: string[] = [];
  const cli = startNodeProcess({
    name: 'loadtest',
    script: path.join(LOADTEST_DIR, 'src/cli.ts'),
    args: [
      '--no-progress',
      '--no-baseline',
      '--external',
      '--gateway-url',
      stack.gatewayUrls[0]!,
      '--push-urls',
      stack.pushUrls.join(','),
      '--users',
      '400',
      '--stock',
      String(STOCK),
      '--shards',
      '0',
      '--start-delay',
      '6000',
      '--timeout',
      '60000',
      '--out',
      out,
    ],
    cwd: LOADTEST_DIR,
    env: stack.env,
    onLine: (line) => lines.push(line),
  });
  const saleId = waitForOutput(cli, /^sale ([0-9a-f-]{36}):/m, 120_000).then((match) => match[1]!);
  const exit = cli.exited.then(({ code }) => ({ code, output: lines.join('\n') }));
  return { process: cli, saleId, exit };
}

const tile = (page: Page, id: string) => page.locator(`#${id} .value`).textContent();
const points = async (page: Page, id: string) => Number(await page.getAttribute(`#${id}`, 'data-points'));

// The whole system as processes, the real load test against it, and the dashboard in Chromium
// following the load test's sale over the statistics stream.
describe('the live sale dashboard in a real browser', () => {
  let stack: Stack;
  let browser: Browser;
  let out: string;

  beforeAll(async () => {
    out = mkdtempSync(path.join(tmpdir(), 'dashboard-loadtest-'));
    stack = await startStack({
      web: true,
      // Ports of their own: the shop page's test uses 17000.., e2e 13000.., the load test 14000..
      basePorts: { gateway: 18000, pushGateway: 18001, worker: 18100, web: WEB_PORT },
      env: { LOG_LEVEL: 'warn', ...(await freshOrderTopics('dashboard')) },
    });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    rmSync(out, { recursive: true, force: true });
  });

  it('refuses a wrong admin token, then follows a sale under load with charts that move, and ends it', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1100 } });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`${stack.webUrl}/dashboard`);
    await page.fill('#admin-token', 'not-the-admin-token-at-all');
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('#token-error:not([hidden])');
    expect(await page.textContent('#token-error')).toContain('refused');

    const loadtest = startLoadtest(stack, out);
    try {
      const saleId = await loadtest.saleId;
      await page.goto(`${stack.webUrl}/dashboard?sale=${saleId}`);
      await page.fill('#admin-token', stack.env.ADMIN_TOKEN!);
      await page.click('#token-form button[type=submit]');
      await page.waitForSelector('#dash-status[data-status="live"]');
      expect(await page.inputValue('#sale-select')).toBe(saleId);
      expect(await tile(page, 'tile-stock-redis')).toBe(String(STOCK));

      // While the herd runs: the stream keeps adding points, admissions and push sessions show.
      const seen = { admissions: 0, sessions: 0, refusals: 0 };
      let screenshotTaken = false;
      await waitFor(
        async () => {
          seen.admissions = Math.max(seen.admissions, Number((await tile(page, 'tile-admissions'))?.replace(/,/g, '')) || 0);
          seen.sessions = Math.max(seen.sessions, Number((await tile(page, 'tile-sessions'))?.replace(/,/g, '')) || 0);
          seen.refusals = Math.max(seen.refusals, Number((await tile(page, 'tile-refusals'))?.replace(/,/g, '')) || 0);
          if (!screenshotTaken && seen.admissions > 0 && seen.refusals > 0) {
            screenshotTaken = true;
            await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-live.png'), fullPage: true });
          }
          return (await tile(page, 'tile-stock-postgres')) === '0' && screenshotTaken ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'the sale to sell out on the dashboard' },
      );
      expect(seen.admissions).toBeGreaterThan(0);
      expect(seen.sessions).toBeGreaterThan(0);
      expect(await tile(page, 'tile-stock-redis')).toBe('0');
      // The workers' counts reach Redis once a second, after PostgreSQL's stock.
      await page.waitForSelector(`#tile-orders .detail:text-is("${STOCK} ordered in all")`);
      // Shoppers shed with 503 press again and may hear SOLD_OUT after the last order: the gateways' counts follow.
      await page.locator('#tile-refusals .detail', { hasText: /SOLD_OUT \d/ }).waitFor();
      expect(await page.getAttribute('#sale-state', 'data-state')).toBe('SOLD_OUT');
      const before = await points(page, 'chart-rates');
      expect(before).toBeGreaterThanOrEqual(5);
      await waitFor(async () => ((await points(page, 'chart-rates')) > before ? true : undefined), { what: 'another point on the charts' });
      for (const chart of ['chart-stock', 'chart-refusals', 'chart-queue', 'chart-push'])
        expect(await points(page, chart)).toBeGreaterThan(before);
      await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-sold-out.png'), fullPage: true });

      const { code, output } = await loadtest.exit;
      expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });

      page.once('dialog', (dialog) => void dialog.accept());
      await page.click('#end-sale');
      await page.waitForSelector('#sale-state[data-state="ENDED"]');
      expect(await page.textContent('#sale-message')).toMatch(/^Ended at /);
    } finally {
      await stopProcess(loadtest.process);
      await context.close();
    }
  }, 180_000);
});
