// The live sale dashboard, bundled by esbuild (see ../page-bundle.ts). Plain DOM and uPlot charts,
// fed by the gateway's statistics stream (Server-Sent Events) through the page's /api proxy.
import type { AdminSale, EndSaleResult, SaleStats } from '@seckill/contracts';
import { createDashboardCharts } from './dashboard-charts';
import { createStatsHistory, formatFigure, REFUSAL_CODES } from './stats-history';
import { followSaleStats, type StreamRefused, type StreamStatus } from './stats-stream';

const TOKEN_KEY = 'seckill.adminToken';
/** Ten minutes of one look per second. */
const HISTORY_CAPACITY = 600;

const element = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found as T;
};

interface Tile {
  id: string;
  label: string;
  /** The tile's big figure, formatted with `unit`. */
  figure: (s: SaleStats) => number | null | undefined;
  unit?: string;
  detail?: (s: SaleStats) => string;
}

const sumValues = (record: Record<string, number>) => Object.values(record).reduce((total, n) => total + n, 0);
const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

const TILES: readonly Tile[] = [
  { id: 'tile-stock-redis', label: 'Stock · Redis', figure: (s) => s.stock.redis, detail: (s) => `of ${formatFigure(s.stock.initial)}` },
  {
    id: 'tile-stock-postgres',
    label: 'Stock · PostgreSQL',
    figure: (s) => s.stock.postgres,
    detail: (s) => `${formatFigure(s.orders.total)} orders, ${formatFigure(s.orders.paid)} paid`,
  },
  { id: 'tile-queue', label: 'Queue depth', figure: (s) => s.queue.depth, detail: (s) => `capacity ${formatFigure(s.queue.capacity)}` },
  {
    id: 'tile-admissions',
    label: 'Admissions/s',
    figure: (s) => s.rates.admissions,
    detail: (s) => `${formatFigure(s.totals.admitted)} tickets in all`,
  },
  {
    id: 'tile-orders',
    label: 'Orders/s',
    figure: (s) => s.rates.orders,
    detail: (s) => `${formatFigure(s.totals.ordered)} ordered in all`,
  },
  {
    id: 'tile-refusals',
    label: 'Refusals/s',
    figure: (s) => sumValues(s.rates.refusals),
    detail: (s) =>
      REFUSAL_CODES.filter((code) => s.totals.refused[code])
        .map((code) => `${code} ${formatFigure(s.totals.refused[code])}`)
        .join(' · ') || 'none',
  },
  { id: 'tile-sessions', label: 'Push sessions', figure: (s) => s.push.sessions, detail: (s) => plural(s.push.nodes, 'node') },
  {
    id: 'tile-p99',
    label: 'Delivery p99',
    figure: (s) => s.push.deliveryP99Ms,
    unit: ' ms',
    detail: (s) => `${formatFigure(s.totals.delivered)} delivered`,
  },
  {
    id: 'tile-lag',
    label: 'Worker lag',
    figure: (s) => s.workers.lag,
    detail: (s) => `${plural(s.workers.count, 'worker')}, ${formatFigure(s.workers.ordersPerSecond)} orders/s`,
  },
];

const STATUS_TEXT: Record<StreamStatus | 'signed-out' | 'error', string> = {
  'signed-out': 'signed out',
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  error: 'error',
};

function main(): void {
  const status = element('dash-status');
  const tokenForm = element<HTMLFormElement>('token-form');
  const tokenInput = element<HTMLInputElement>('admin-token');
  const tokenError = element('token-error');
  const saleBar = element('sale-bar');
  const saleSelect = element<HTMLSelectElement>('sale-select');
  const saleState = element('sale-state');
  const saleWindow = element('sale-window');
  const saleMessage = element('sale-message');
  const endButton = element<HTMLButtonElement>('end-sale');
  const tilesSection = element('tiles');
  const chartsSection = element('charts');
  const updated = element('dash-updated');

  const tileValues = new Map(
    TILES.map((tile) => {
      const box = document.createElement('div');
      box.className = 'tile';
      box.id = tile.id;
      box.innerHTML = '<div class="label"></div><div class="value">–</div><div class="detail"></div>';
      box.querySelector('.label')!.textContent = tile.label;
      tilesSection.append(box);
      return [tile, { value: box.querySelector<HTMLElement>('.value')!, detail: box.querySelector<HTMLElement>('.detail')! }] as const;
    }),
  );
  chartsSection.hidden = false; // laid out before the charts measure their width
  const charts = createDashboardCharts(chartsSection);
  chartsSection.hidden = true;
  const history = createStatsHistory(HISTORY_CAPACITY);
  let stopStream: (() => void) | undefined;

  const setStatus = (next: keyof typeof STATUS_TEXT) => {
    status.dataset.status = next;
    status.textContent = STATUS_TEXT[next];
  };

  const token = () => sessionStorage.getItem(TOKEN_KEY);
  async function adminFetch<T>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await fetch(path, {
      ...init,
      headers: { authorization: `Bearer ${token()}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    });
    const body = (await response.json()) as T & { error?: { code: string; message: string } };
    if (response.status === 401) signOut('The admin token was refused.');
    if (!response.ok) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
    return body;
  }

  function signOut(error?: string): void {
    stopStream?.();
    sessionStorage.removeItem(TOKEN_KEY);
    setStatus('signed-out');
    saleBar.hidden = tilesSection.hidden = chartsSection.hidden = true;
    tokenForm.hidden = false;
    tokenError.hidden = !error;
    tokenError.textContent = error ?? '';
  }

  function render(stats: SaleStats): void {
    history.push(stats);
    for (const [tile, box] of tileValues) {
      box.value.textContent = formatFigure(tile.figure(stats), tile.unit);
      box.detail.textContent = tile.detail?.(stats) ?? '';
    }
    saleState.textContent = stats.sale.state.replace('_', ' ');
    saleState.dataset.state = stats.sale.state;
    saleWindow.textContent = `${new Date(stats.sale.startsAt).toLocaleString()} → ${new Date(stats.sale.endsAt).toLocaleString()}`;
    endButton.disabled = stats.sale.state === 'ENDED';
    charts.update(history);
    updated.textContent = `Updated ${new Date(stats.at).toLocaleTimeString()} · ${history.size} looks`;
    updated.dataset.at = stats.at;
  }

  function watch(saleId: string): void {
    stopStream?.();
    history.clear();
    const url = new URL(location.href);
    url.searchParams.set('sale', saleId);
    window.history.replaceState(null, '', url);
    tilesSection.hidden = chartsSection.hidden = false;
    stopStream = followSaleStats({
      saleId,
      adminToken: token() ?? '',
      onStats: render,
      onStatus: setStatus,
      onRefused: (refused: StreamRefused) => {
        if (refused.status === 401) signOut('The admin token was refused.');
        else {
          setStatus('error');
          saleMessage.textContent = refused.message;
        }
      },
    });
  }

  async function open(): Promise<void> {
    tokenForm.hidden = true;
    setStatus('connecting');
    let sales: AdminSale[];
    try {
      ({ sales } = await adminFetch<{ sales: AdminSale[] }>('/api/admin/sales?limit=100'));
    } catch (error) {
      if (token()) {
        setStatus('error');
        saleMessage.textContent = error instanceof Error ? error.message : String(error);
        saleBar.hidden = false;
      }
      return;
    }
    saleSelect.replaceChildren(
      ...sales.map((sale) => {
        const option = document.createElement('option');
        option.value = sale.id;
        option.textContent = `${sale.name} · ${sale.id.slice(0, 8)}`;
        return option;
      }),
    );
    saleBar.hidden = false;
    const wanted = new URLSearchParams(location.search).get('sale');
    const chosen = sales.find((sale) => sale.id === wanted) ?? sales[0];
    if (!chosen) {
      setStatus('error');
      saleMessage.textContent = 'No sales yet: create one with POST /api/admin/sales.';
      return;
    }
    saleSelect.value = chosen.id;
    watch(chosen.id);
  }

  tokenForm.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, tokenInput.value.trim());
    tokenInput.value = '';
    void open();
  });
  saleSelect.addEventListener('change', () => watch(saleSelect.value));
  element('sign-out').addEventListener('click', () => signOut());
  endButton.addEventListener('click', () => {
    const saleId = saleSelect.value;
    if (!saleId || !confirm('End this sale now? Nobody new gets a ticket; tickets already queued are still decided.')) return;
    endButton.disabled = true;
    adminFetch<EndSaleResult>(`/api/admin/sales/${saleId}/end`, { method: 'POST' }).then(
      (result) =>
        (saleMessage.textContent = `Ended at ${new Date(result.endedAt).toLocaleTimeString()}; ${result.queuedTickets} queued ticket(s) are still being decided.`),
      (error: unknown) => {
        endButton.disabled = false;
        saleMessage.textContent = `Could not end the sale: ${error instanceof Error ? error.message : String(error)}`;
      },
    );
  });

  if (token()) void open();
  else signOut();
}

main();
