// The shop page, bundled with the SDK by esbuild (see ../shop-bundle.ts). Plain DOM, no framework.
import {
  createSeckillClient,
  SeckillApiError,
  type ConnectionState,
  type SaleView,
  type SeckillClient,
  type TicketUpdate,
} from '@seckill/client';
import { describeWait, formatDuration, purchaseErrorMessage, resultMessage, saleCountdown } from './format';

interface PageConfig {
  pushUrls: string[];
  saleId: string | null;
  /** Whether the server's demo login exists (DEMO_LOGIN=true). */
  demoLogin: boolean;
}
interface Session {
  userId: string;
  token: string;
}
interface ShownTicket {
  ticketId: string;
  ticketNumber: number;
  status: TicketUpdate['status'];
  position?: number;
  estimatedWaitMs?: number;
  orderId?: string;
  reason?: string;
  via?: TicketUpdate['via'];
}

const SESSION_KEY = 'seckill.session';
const ticketKey = (saleId: string) => `seckill.ticket.${saleId}`;
const SALE_REFRESH_MS = 2_000;

const element = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found as T;
};
const ui = {
  connection: element('connection'),
  saleName: element('sale-name'),
  saleClock: element('sale-clock'),
  saleId: element('sale-id'),
  stockFill: element('stock-fill'),
  stockText: element('stock-text'),
  loginForm: element<HTMLFormElement>('login-form'),
  loginName: element<HTMLInputElement>('login-name'),
  signedIn: element('signed-in'),
  userName: element('user-name'),
  logout: element<HTMLButtonElement>('logout-button'),
  buy: element<HTMLButtonElement>('buy-button'),
  message: element('message'),
  ticket: element('ticket'),
  ticketNumber: element('ticket-number'),
  ticketWait: element('ticket-wait'),
  ticketStatus: element('ticket-status'),
  ticketDetail: element('ticket-detail'),
  cancel: element<HTMLButtonElement>('cancel-button'),
};

const gatewayUrl = window.location.origin;
// Reads the sale before anyone signs in; never opens a WebSocket.
const saleReader = createSeckillClient({ gatewayUrl, token: '', WebSocket: null });

let config: PageConfig = { pushUrls: [], saleId: null, demoLogin: false };
let saleId: string | undefined;
let sale: SaleView | undefined;
let session: Session | undefined;
let client: SeckillClient | undefined;
let ticket: ShownTicket | undefined;
let buying = false;
let retryAllowedAt = 0;

function showMessage(text: string, code = ''): void {
  ui.message.textContent = text;
  ui.message.dataset.code = code;
  ui.message.hidden = text === '';
}

function renderSale(now: number): void {
  if (!sale) return;
  ui.saleName.textContent = sale.name;
  const countdown = saleCountdown(sale, now);
  ui.saleClock.textContent = countdown.label;
  ui.saleClock.dataset.phase = countdown.phase;
  const left = Math.max(0, sale.remainingStock);
  ui.stockFill.style.width = `${sale.initialStock > 0 ? (100 * left) / sale.initialStock : 0}%`;
  ui.stockText.textContent =
    `${left} of ${sale.initialStock} left` + (sale.queueDepth > 0 ? ` · ${sale.queueDepth} in the queue` : '');
}

function renderBuyButton(now: number): void {
  const phase = sale ? saleCountdown(sale, now).phase : undefined;
  const waiting = ticket?.status === 'QUEUED';
  const blockedMs = retryAllowedAt - now;
  ui.buy.disabled = !session || phase !== 'ACTIVE' || buying || waiting || blockedMs > 0 || ticket?.status === 'SUCCEEDED';
  if (buying) ui.buy.textContent = 'Taking a number…';
  else if (waiting) ui.buy.textContent = 'In the queue…';
  else if (ticket?.status === 'SUCCEEDED') ui.buy.textContent = 'Bought';
  else if (blockedMs > 0) ui.buy.textContent = `Try again in ${formatDuration(blockedMs)}`;
  else if (!session) ui.buy.textContent = 'Sign in to buy';
  else if (phase === 'UPCOMING') ui.buy.textContent = 'Not started yet';
  else if (phase === 'SOLD_OUT') ui.buy.textContent = 'Sold out';
  else if (phase === 'ENDED') ui.buy.textContent = 'Sale ended';
  else ui.buy.textContent = 'Buy now';
}

function renderConnection(state: ConnectionState | undefined): void {
  const status = state?.status ?? 'closed';
  ui.connection.dataset.status = status;
  const labels: Record<typeof status, string> = {
    ready: 'live',
    connecting: 'connecting…',
    reconnecting: 'reconnecting…',
    unavailable: 'polling',
    closed: 'offline',
  };
  ui.connection.textContent = labels[status];
}

function renderTicket(): void {
  ui.ticket.hidden = ticket === undefined;
  if (!ticket) return;
  const queued = ticket.status === 'QUEUED';
  ui.ticketNumber.textContent = String(ticket.ticketNumber);
  ui.ticketWait.textContent = queued ? describeWait(ticket.position, ticket.estimatedWaitMs) : '';
  ui.ticketWait.hidden = !queued;
  ui.ticketStatus.textContent = resultMessage(ticket);
  ui.ticketStatus.dataset.status = ticket.status;
  ui.ticketStatus.dataset.via = ticket.via ?? '';
  ui.ticketDetail.textContent = ticket.orderId ? `Order ${ticket.orderId}` : '';
  ui.cancel.hidden = !queued;
}

function rememberTicket(): void {
  if (!saleId) return;
  if (ticket) sessionStorage.setItem(ticketKey(saleId), JSON.stringify(ticket));
  else sessionStorage.removeItem(ticketKey(saleId));
}

function applyUpdate(update: TicketUpdate): void {
  if (!ticket || update.ticketId !== ticket.ticketId) return;
  ticket = { ...ticket, ...update };
  rememberTicket();
  renderTicket();
  renderBuyButton(Date.now());
}

function follow(ticketId: string): void {
  client
    ?.track(ticketId)
    .then(applyUpdate)
    .catch((error: unknown) => {
      if (error instanceof SeckillApiError && error.code === 'CLIENT_CLOSED') return;
      showMessage(error instanceof Error ? error.message : String(error));
    });
}

function startClient(): void {
  if (!session) return;
  const token = session.token;
  client = createSeckillClient({ gatewayUrl, pushUrls: config.pushUrls, token });
  client.on('connection', renderConnection);
  client.on('ticket', applyUpdate);
  renderConnection(client.connection);
  ui.loginForm.hidden = true;
  ui.signedIn.hidden = false;
  ui.userName.textContent = session.userId;
  const stored = saleId ? sessionStorage.getItem(ticketKey(saleId)) : null;
  if (stored) {
    ticket = JSON.parse(stored) as ShownTicket;
    renderTicket();
    if (ticket.status === 'QUEUED') follow(ticket.ticketId);
  }
}

function signOut(): void {
  client?.close();
  client = undefined;
  session = undefined;
  ticket = undefined;
  sessionStorage.removeItem(SESSION_KEY);
  if (saleId) sessionStorage.removeItem(ticketKey(saleId));
  ui.loginForm.hidden = false;
  ui.signedIn.hidden = true;
  renderConnection(undefined);
  renderTicket();
  renderBuyButton(Date.now());
}

async function signIn(name: string): Promise<void> {
  const response = await fetch('/demo/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const body = (await response.json()) as { userId?: string; token?: string; error?: { message: string } };
  if (!response.ok || !body.userId || !body.token) {
    showMessage(body.error?.message ?? 'Could not sign in.');
    return;
  }
  session = { userId: body.userId, token: body.token };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  showMessage('');
  startClient();
  renderBuyButton(Date.now());
}

async function buy(): Promise<void> {
  if (!client || !saleId) return;
  buying = true;
  showMessage('');
  renderBuyButton(Date.now());
  try {
    const purchase = await client.buy(saleId);
    const receipt = purchase.ticket;
    ticket = {
      ticketId: receipt.ticketId,
      ticketNumber: receipt.ticketNumber,
      status: receipt.status,
      position: receipt.position,
      estimatedWaitMs: receipt.estimatedWaitMs,
      via: 'buy',
    };
    rememberTicket();
    renderTicket();
    // The result may already be known (pushed before the HTTP answer): the promise then settles at once.
    purchase.result.then(applyUpdate).catch(() => undefined);
  } catch (error) {
    if (error instanceof SeckillApiError) {
      if (error.retryAfterMs !== undefined) retryAllowedAt = Date.now() + error.retryAfterMs;
      showMessage(purchaseErrorMessage(error, sale, Date.now()), error.code);
      if (error.code === 'UNAUTHORIZED') signOut();
    } else {
      showMessage('Something went wrong. Please try again.');
    }
  } finally {
    buying = false;
    renderBuyButton(Date.now());
  }
}

async function cancel(): Promise<void> {
  if (!client || !ticket) return;
  ui.cancel.disabled = true;
  try {
    applyUpdate(await client.cancel(ticket.ticketId));
  } catch (error) {
    const code = error instanceof SeckillApiError ? error.code : '';
    showMessage(
      code === 'TICKET_NOT_CANCELLABLE' ? 'Too late to leave: your number has already been called.' : 'Could not leave the queue.',
      code,
    );
  } finally {
    ui.cancel.disabled = false;
  }
}

async function refreshSale(): Promise<void> {
  if (!saleId) return;
  try {
    sale = await saleReader.getSale(saleId);
    renderSale(Date.now());
    if (ui.message.dataset.code === 'SALE_UNREACHABLE') showMessage('');
  } catch (error) {
    if (error instanceof SeckillApiError && (error.code === 'SALE_NOT_FOUND' || error.code === 'NOT_FOUND')) {
      ui.saleName.textContent = 'Sale not found';
      showMessage('This sale does not exist.', error.code);
    } else if (!sale) {
      showMessage('We could not reach the shop. Retrying…', 'SALE_UNREACHABLE');
    }
  } finally {
    setTimeout(() => void refreshSale(), SALE_REFRESH_MS);
  }
}

async function main(): Promise<void> {
  config = (await (await fetch('/config.json')).json()) as PageConfig;
  saleId = new URLSearchParams(window.location.search).get('sale') ?? config.saleId ?? undefined;
  ui.loginForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!config.demoLogin) {
      showMessage('Signing in by name is a demo, turned off on this server (DEMO_LOGIN).', 'NO_DEMO_LOGIN');
      return;
    }
    void signIn(ui.loginName.value.trim());
  });
  ui.logout.addEventListener('click', signOut);
  ui.buy.addEventListener('click', () => void buy());
  ui.cancel.addEventListener('click', () => void cancel());
  renderConnection(undefined);
  if (!saleId) {
    ui.saleName.textContent = 'No sale chosen';
    showMessage('Open this page with ?sale=<sale id> (or start the server with DEMO_SALE_ID).', 'NO_SALE');
    renderBuyButton(Date.now());
    return;
  }
  ui.saleId.textContent = `sale ${saleId}`;
  const stored = sessionStorage.getItem(SESSION_KEY);
  if (stored) {
    session = JSON.parse(stored) as Session;
    startClient();
  }
  await refreshSale();
  setInterval(() => {
    const now = Date.now();
    renderSale(now);
    renderBuyButton(now);
  }, 250);
}

void main();
