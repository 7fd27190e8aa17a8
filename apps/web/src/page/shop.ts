// The shop page, bundled with the SDK by esbuild (see ../shop-bundle.ts). Plain DOM, no framework.
import {
  createSeckillClient,
  createWebWorkerChallengeSolver,
  SeckillApiError,
  type ConnectionState,
  type OrderEvent,
  type OrderView,
  type PrequeueReceipt,
  type SaleView,
  type SeckillClient,
  type TicketUpdate,
} from '@seckill/client';
import { describePrequeue, describeWait, formatDuration, orderMessage, purchaseErrorMessage, resultMessage, saleCountdown } from './format';

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
// Stock, queue depth and the shopper's position are polled: they change with every order, the same
// for everyone (the sale, cacheable for a second) or per shopper (a cheap owner-only read); pushing
// each change to every waiting shopper would cost far more than a poll every 2 s.
const SALE_REFRESH_MS = 2_000;
/** The order's fallback poll while it awaits payment (PAID and EXPIRED are pushed). */
const ORDER_REFRESH_MS = 5_000;

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
  ticketEyebrow: element('ticket-eyebrow'),
  order: element('order'),
  orderStatus: element('order-status'),
  orderDeadline: element('order-deadline'),
  pay: element<HTMLButtonElement>('pay-button'),
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
/** In a lottery's pre-queue, until the draw (`receivedAt`: when the answer came, for the countdown). */
let prequeue: (PrequeueReceipt & { receivedAt: number }) | undefined;
/** Solving the sale's purchase challenge (in the Web Worker). */
let solving = false;
let order: OrderView | undefined;
let orderCheckedAt = 0;
let paying = false;
// One worker for the page's lifetime, whoever is signed in.
const solveChallenge = createWebWorkerChallengeSolver({ workerUrl: '/challenge-worker.js' });

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
    `${left} of ${sale.initialStock} left` +
    (sale.queueDepth > 0 ? ` · ${sale.queueDepth} in the queue` : '') +
    (sale.state === 'PREQUEUE' ? ` · ${sale.prequeueSize} in the pre-queue` : '');
}

function renderBuyButton(now: number): void {
  const phase = sale ? saleCountdown(sale, now).phase : undefined;
  const waiting = ticket?.status === 'QUEUED';
  const blockedMs = retryAllowedAt - now;
  const open = phase === 'ACTIVE' || phase === 'PREQUEUE';
  ui.buy.disabled = !session || !open || buying || waiting || blockedMs > 0 || ticket?.status === 'SUCCEEDED';
  if (solving) ui.buy.textContent = 'Checking you are not a bot…';
  else if (prequeue) ui.buy.textContent = 'In the pre-queue…';
  else if (buying) ui.buy.textContent = 'Taking a number…';
  else if (waiting) ui.buy.textContent = 'In the queue…';
  else if (ticket?.status === 'SUCCEEDED') ui.buy.textContent = 'Bought';
  else if (blockedMs > 0) ui.buy.textContent = `Try again in ${formatDuration(blockedMs)}`;
  else if (!session) ui.buy.textContent = 'Sign in to buy';
  else if (phase === 'UPCOMING') ui.buy.textContent = 'Not started yet';
  else if (phase === 'SOLD_OUT') ui.buy.textContent = 'Sold out';
  else if (phase === 'ENDED') ui.buy.textContent = 'Sale ended';
  else if (phase === 'PREQUEUE') ui.buy.textContent = 'Join the pre-queue';
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
  ui.ticket.hidden = ticket === undefined && prequeue === undefined;
  if (!ticket && prequeue) {
    const drawsInMs = prequeue.drawsInMs - (Date.now() - prequeue.receivedAt);
    const size = sale?.state === 'PREQUEUE' ? Math.max(sale.prequeueSize, prequeue.prequeueSize) : prequeue.prequeueSize;
    ui.ticketEyebrow.textContent = 'Pre-queue';
    ui.ticketNumber.textContent = '?';
    ui.ticketWait.textContent = describePrequeue(size, drawsInMs);
    ui.ticketWait.hidden = false;
    ui.ticketStatus.textContent = 'You are in the pre-queue; the order is drawn at the start.';
    ui.ticketStatus.dataset.status = 'PREQUEUED';
    ui.ticketDetail.textContent = '';
    ui.cancel.hidden = true;
    return;
  }
  if (!ticket) return;
  ui.ticketEyebrow.textContent = 'Your number';
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

function renderOrder(now: number): void {
  ui.order.hidden = order === undefined;
  if (!order) return;
  const { headline, deadline } = orderMessage(order, now);
  ui.orderStatus.textContent = headline;
  ui.orderStatus.dataset.status = order.status;
  ui.orderDeadline.textContent = deadline;
  const payable = order.status === 'PENDING_PAYMENT' && (order.expiresAt === undefined || Date.parse(order.expiresAt) > now);
  ui.pay.hidden = order.status !== 'PENDING_PAYMENT';
  ui.pay.disabled = !payable || paying;
  ui.pay.textContent = paying ? 'Paying…' : 'Pay now';
}

function applyOrder(update: OrderView | OrderEvent): void {
  if (!order || update.orderId !== order.orderId) return;
  // A final state (PAID, EXPIRED) is never replaced by an older PENDING_PAYMENT read.
  if (order.status !== 'PENDING_PAYMENT' && update.status === 'PENDING_PAYMENT') return;
  order = { ...order, status: update.status, ...('paidAt' in update && update.paidAt ? { paidAt: update.paidAt } : {}) };
  renderOrder(Date.now());
}

async function loadOrder(orderId: string): Promise<void> {
  if (!client) return;
  orderCheckedAt = Date.now();
  try {
    const view = await client.getOrder(orderId);
    if (!order || order.orderId !== orderId) order = view;
    else applyOrder(view);
    renderOrder(Date.now());
  } catch {
    // The next refresh asks again.
  }
}

async function pay(): Promise<void> {
  if (!client || !order) return;
  paying = true;
  renderOrder(Date.now());
  try {
    applyOrder(await client.pay(order.orderId));
    showMessage('');
  } catch (error) {
    const code = error instanceof SeckillApiError ? error.code : '';
    showMessage(
      code === 'ORDER_NOT_PAYABLE' ? 'Too late: the payment window has closed.' : 'The payment did not go through. Please try again.',
      code,
    );
    if (order) await loadOrder(order.orderId);
  } finally {
    paying = false;
    renderOrder(Date.now());
  }
}

/** The live figures while the shopper waits: their position, and their order's state if push is away. */
function refreshShopper(now: number): void {
  if (!client) return;
  if (ticket?.status === 'QUEUED') {
    const { ticketId } = ticket;
    client.getTicket(ticketId).then(
      (view) => applyUpdate({ ...view, via: 'poll' }),
      () => undefined,
    );
  }
  if (order?.status === 'PENDING_PAYMENT') {
    const overdue = order.expiresAt !== undefined && Date.parse(order.expiresAt) <= now;
    if (overdue || now - orderCheckedAt >= ORDER_REFRESH_MS) void loadOrder(order.orderId);
  }
}

function rememberTicket(): void {
  if (!saleId) return;
  if (ticket) sessionStorage.setItem(ticketKey(saleId), JSON.stringify(ticket));
  else sessionStorage.removeItem(ticketKey(saleId));
}

function applyUpdate(update: TicketUpdate): void {
  if (!ticket || update.ticketId !== ticket.ticketId) return;
  // A poll answered after the pushed result must not bring QUEUED back.
  if (ticket.status !== 'QUEUED' && update.status === 'QUEUED') return;
  ticket = { ...ticket, ...update };
  rememberTicket();
  renderTicket();
  renderBuyButton(Date.now());
  if (ticket.status === 'SUCCEEDED' && ticket.orderId && order?.orderId !== ticket.orderId) {
    order = undefined;
    void loadOrder(ticket.orderId);
  }
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
  client = createSeckillClient({ gatewayUrl, pushUrls: config.pushUrls, token, solveChallenge });
  client.on('connection', renderConnection);
  client.on('ticket', applyUpdate);
  client.on('order', applyOrder);
  renderConnection(client.connection);
  ui.loginForm.hidden = true;
  ui.signedIn.hidden = false;
  ui.userName.textContent = session.userId;
  const stored = saleId ? sessionStorage.getItem(ticketKey(saleId)) : null;
  if (stored) {
    ticket = JSON.parse(stored) as ShownTicket;
    renderTicket();
    if (ticket.status === 'QUEUED') follow(ticket.ticketId);
    if (ticket.orderId) void loadOrder(ticket.orderId);
  }
}

function signOut(): void {
  client?.close();
  client = undefined;
  session = undefined;
  ticket = undefined;
  prequeue = undefined;
  order = undefined;
  sessionStorage.removeItem(SESSION_KEY);
  if (saleId) sessionStorage.removeItem(ticketKey(saleId));
  ui.loginForm.hidden = false;
  ui.signedIn.hidden = true;
  renderConnection(undefined);
  renderTicket();
  renderOrder(Date.now());
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
    const purchase = await client.buy(saleId, {
      onChallenge: () => {
        solving = true;
        renderBuyButton(Date.now());
      },
      onPrequeued: (receipt) => {
        solving = false;
        prequeue = { ...receipt, receivedAt: Date.now() };
        if (sale) sale = { ...sale, prequeueSize: Math.max(sale.prequeueSize, receipt.prequeueSize) };
        renderSale(Date.now());
        renderTicket();
        renderBuyButton(Date.now());
      },
    });
    prequeue = undefined;
    const receipt = purchase.ticket;
    const orderId = 'orderId' in receipt ? receipt.orderId : undefined;
    ticket = {
      ticketId: receipt.ticketId,
      ticketNumber: receipt.ticketNumber,
      status: receipt.status,
      position: receipt.position,
      estimatedWaitMs: receipt.estimatedWaitMs,
      ...(orderId ? { orderId } : {}),
      via: 'buy',
    };
    rememberTicket();
    renderTicket();
    if (orderId) void loadOrder(orderId);
    // The result may already be known (pushed before the HTTP answer): the promise then settles at once.
    purchase.result.then(applyUpdate).catch(() => undefined);
  } catch (error) {
    const drawnOut = prequeue !== undefined;
    prequeue = undefined;
    renderTicket();
    if (drawnOut && error instanceof SeckillApiError && error.code === 'SOLD_OUT') {
      showMessage('The draw did not reach your place: every item went to a shopper drawn before you.', error.code);
    } else if (error instanceof SeckillApiError) {
      if (error.retryAfterMs !== undefined) retryAllowedAt = Date.now() + error.retryAfterMs;
      showMessage(purchaseErrorMessage(error, sale, Date.now()), error.code);
      if (error.code === 'UNAUTHORIZED') signOut();
    } else {
      showMessage('Something went wrong. Please try again.');
    }
  } finally {
    buying = false;
    solving = false;
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
    refreshShopper(Date.now());
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
  ui.pay.addEventListener('click', () => void pay());
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
    if (prequeue) renderTicket();
    renderOrder(now);
  }, 250);
}

void main();
