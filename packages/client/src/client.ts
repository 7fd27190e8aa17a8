import {
  parseTicketId,
  type OrderEvent,
  type OrderView,
  type PrequeueReceipt,
  type PurchaseChallenge,
  type SaleView,
  type TicketReceipt,
  type TicketStatus,
  type TicketView,
} from '@seckill/contracts';
import { createGatewayApi, type SolvedChallenge } from './api';
import { createInlineChallengeSolver, type ChallengeSolver } from './challenge/solver';
import { asOrderEvent, asTicketEvent, isFinalStatus } from './contract';
import { backoffDelay } from './backoff';
import { TypedEmitter } from './emitter';
import { SeckillApiError } from './errors';
import { createPushConnection, type ConnectionState } from './push-connection';
import { globalFetch, globalWebSocket, type FetchLike, type WebSocketConstructor } from './transport';

export interface SeckillClientOptions {
  /** Base URL of the gateway (or of a server proxying `/api/*` to it), e.g. `http://127.0.0.1:3000`. */
  gatewayUrl: string;
  /** Push nodes (`ws://host:3001/ws`, ...); empty means polling only. */
  pushUrls?: readonly string[];
  /** The user's JWT, or a function returning the current one. */
  token: string | (() => string | Promise<string>);
  /** WebSocket implementation (the `ws` package on Node 20); defaults to the global one; `null` disables push. */
  WebSocket?: WebSocketConstructor | null;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** First poll delay while push is not ready; later polls back off up to `maxPollIntervalMs`. */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** Safety-net poll of a waiting ticket while push is ready (a result missed by push still arrives). */
  readyPollIntervalMs?: number;
  /** Reconnect backoff between failed push attempts. */
  reconnect?: { initialMs?: number; maxMs?: number };
  readyTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Uniform [0, 1) source for jitter and the first node; injectable for tests. */
  random?: () => number;
  /**
   * Solves the purchase challenges of sales with bot friction, preferably off the main thread:
   * `createWebWorkerChallengeSolver` (browser), `createWorkerThreadChallengeSolver` from
   * `@seckill/client/node`. Default: WebCrypto on the calling thread.
   */
  solveChallenge?: ChallengeSolver;
}

export interface BuyOptions {
  idempotencyKey?: string;
  /** A lottery sale, before its start: the shopper is in the pre-queue; `buy` resolves once the place is drawn. */
  onPrequeued?: (receipt: PrequeueReceipt) => void;
  /** The sale asks for a purchase challenge: it is being solved (then the purchase goes on by itself). */
  onChallenge?: (challenge: PurchaseChallenge) => void;
}

/** The latest known state of a ticket, whichever way it arrived. */
export interface TicketUpdate {
  ticketId: string;
  saleId: string;
  ticketNumber: number;
  status: TicketStatus;
  orderId?: string;
  reason?: string;
  position?: number;
  estimatedWaitMs?: number;
  /** When the state was decided (epoch ms), for pushed events. */
  at?: number;
  via: 'buy' | 'push' | 'poll' | 'cancel';
}

export interface SeckillClientEvents extends Record<string, unknown> {
  ticket: TicketUpdate;
  /** Later news of an order on the user's channel (PAID, EXPIRED). */
  order: OrderEvent;
  connection: ConnectionState;
}

export interface Purchase {
  /** The `202` receipt (QUEUED, with position and estimated wait), or the ticket itself when a repeat finds it already final. */
  ticket: TicketReceipt | TicketView;
  /** Resolves with the ticket's final state (SUCCEEDED, FAILED or CANCELLED). */
  result: Promise<TicketUpdate>;
}

export interface SeckillClient {
  /**
   * Take a ticket. Solves the sale's purchase challenge when it asks for one; in a lottery's
   * pre-queue, waits for the draw at the start (`onPrequeued`) and resolves with the drawn ticket,
   * or rejects as a purchase made then would (usually SOLD_OUT).
   */
  buy(saleId: string, options?: BuyOptions): Promise<Purchase>;
  /** Follow a ticket bought earlier (e.g. after a page reload) until its final state. */
  track(ticketId: string): Promise<TicketUpdate>;
  getTicket(ticketId: string): Promise<TicketView>;
  /** Cancel while queued; the final CANCELLED state also settles the ticket's result. */
  cancel(ticketId: string): Promise<TicketUpdate>;
  getSale(saleId: string): Promise<SaleView>;
  /** The user's order: PENDING_PAYMENT with its `expiresAt`, PAID or EXPIRED. */
  getOrder(orderId: string): Promise<OrderView>;
  /** Pay the order (idempotent: paying a PAID order answers it; one charge for concurrent clicks). */
  pay(orderId: string): Promise<OrderView>;
  on<Name extends keyof SeckillClientEvents>(name: Name, listener: (payload: SeckillClientEvents[Name]) => void): () => void;
  off<Name extends keyof SeckillClientEvents>(name: Name, listener: (payload: SeckillClientEvents[Name]) => void): void;
  readonly connection: ConnectionState;
  /** Stop pushing and polling; waiting results reject with `CLIENT_CLOSED`. */
  close(): void;
}

interface WaitingTicket {
  ticketId: string;
  promise: Promise<TicketUpdate>;
  resolve(update: TicketUpdate): void;
  reject(error: unknown): void;
  pollAttempt: number;
  pollTimer: ReturnType<typeof setTimeout> | undefined;
}

export function createSeckillClient(options: SeckillClientOptions): SeckillClient {
  const random = options.random ?? Math.random;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const maxPollIntervalMs = options.maxPollIntervalMs ?? 10_000;
  const readyPollIntervalMs = options.readyPollIntervalMs ?? 30_000;
  const fetchImpl = options.fetch ?? globalFetch();
  if (!fetchImpl) throw new TypeError('createSeckillClient: no global fetch here; pass options.fetch');
  const getToken = async () => (typeof options.token === 'function' ? options.token() : options.token);

  const api = createGatewayApi({ gatewayUrl: options.gatewayUrl, fetch: fetchImpl, getToken });
  const emitter = new TypedEmitter<SeckillClientEvents>();
  const waiting = new Map<string, WaitingTicket>();
  const finals = new Map<string, TicketUpdate>();
  /** `ticketId status` pairs already emitted: push may repeat an event (snapshot after reconnect, several nodes). */
  const seen = new Set<string>();
  const seenOrders = new Set<string>();
  let closed = false;
  let pushWasReady = false;

  const push = createPushConnection({
    urls: options.pushUrls ?? [],
    WebSocket: options.WebSocket === null ? undefined : (options.WebSocket ?? globalWebSocket()),
    getToken,
    random,
    reconnect: { initialMs: options.reconnect?.initialMs ?? 500, maxMs: options.reconnect?.maxMs ?? 15_000 },
    readyTimeoutMs: options.readyTimeoutMs ?? 10_000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 25_000,
    onMessage: handlePushMessage,
    onState(state) {
      // Push came or went: poll soon while it is away, rarely while it is back (its snapshot covers the rest).
      // Only that edge reschedules; a connect/retry loop must not keep postponing the polls.
      const ready = state.status === 'ready';
      if (ready !== pushWasReady) {
        pushWasReady = ready;
        for (const ticket of waiting.values()) {
          ticket.pollAttempt = 0;
          schedulePoll(ticket, state);
        }
      }
      emitter.emit('connection', state);
    },
  });

  function handlePushMessage(message: unknown): void {
    const ticketEvent = asTicketEvent(message);
    if (ticketEvent) {
      const { ticketId, saleId, status, orderId, reason, at } = ticketEvent;
      accept({ ticketId, saleId, status, at, ...(orderId ? { orderId } : {}), ...(reason ? { reason } : {}), via: 'push' });
      return;
    }
    const order = asOrderEvent(message);
    if (order) {
      const key = `${order.orderId} ${order.status}`;
      if (seenOrders.has(key)) return;
      seenOrders.add(key);
      emitter.emit('order', order);
    }
    // Anything else is a message type this SDK version does not know: ignored.
  }

  /** Record a ticket state once; a final state is never overwritten by a late or repeated one. */
  function accept(update: Omit<TicketUpdate, 'ticketNumber'> & { ticketNumber?: number }): void {
    if (closed || finals.has(update.ticketId)) return;
    const key = `${update.ticketId} ${update.status}`;
    if (seen.has(key)) return;
    seen.add(key);
    const ticketNumber = update.ticketNumber ?? parseTicketId(update.ticketId)?.ticketNumber ?? 0;
    const full: TicketUpdate = { ...update, ticketNumber };
    if (isFinalStatus(full.status)) {
      finals.set(full.ticketId, full);
      const ticket = waiting.get(full.ticketId);
      if (ticket) {
        waiting.delete(full.ticketId);
        clearTimeout(ticket.pollTimer);
        ticket.resolve(full);
      }
    }
    emitter.emit('ticket', full);
  }

  function track(ticketId: string): Promise<TicketUpdate> {
    if (closed) return Promise.reject(closedError());
    const final = finals.get(ticketId);
    if (final) return Promise.resolve(final);
    const existing = waiting.get(ticketId);
    if (existing) return existing.promise;
    let resolve!: (update: TicketUpdate) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<TicketUpdate>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Marked handled: a caller that ignores `result` must not crash Node with an unhandled rejection.
    promise.catch(() => undefined);
    const ticket: WaitingTicket = { ticketId, promise, resolve, reject, pollAttempt: 0, pollTimer: undefined };
    waiting.set(ticketId, ticket);
    schedulePoll(ticket);
    return promise;
  }

  function schedulePoll(ticket: WaitingTicket, pushState: ConnectionState = push.state): void {
    clearTimeout(ticket.pollTimer);
    const delay =
      pushState.status === 'ready'
        ? readyPollIntervalMs
        : backoffDelay(ticket.pollAttempt, { initialMs: pollIntervalMs, maxMs: maxPollIntervalMs, factor: 1.5, random });
    ticket.pollTimer = setTimeout(() => void poll(ticket), delay);
  }

  async function poll(ticket: WaitingTicket): Promise<void> {
    ticket.pollTimer = undefined;
    try {
      const view = await api.getTicket(ticket.ticketId);
      accept({ ...view, via: 'poll' });
    } catch (error) {
      if (!(error instanceof SeckillApiError) || !error.retriable) {
        if (waiting.get(ticket.ticketId) === ticket) {
          waiting.delete(ticket.ticketId);
          ticket.reject(error);
        }
        return;
      }
    }
    if (waiting.get(ticket.ticketId) !== ticket || ticket.pollTimer !== undefined) return;
    ticket.pollAttempt += 1;
    schedulePoll(ticket);
  }

  function closedError(): SeckillApiError {
    return new SeckillApiError('CLIENT_CLOSED', 'the client was closed');
  }

  const solve = options.solveChallenge ?? createInlineChallengeSolver();
  /** Sales known to ask for a challenge (from a 428): the next purchase solves one first. */
  const challengeSales = new Set<string>();

  async function solvedChallenge(saleId: string, onChallenge: BuyOptions['onChallenge']): Promise<SolvedChallenge> {
    const challenge = await api.getChallenge(saleId);
    onChallenge?.(challenge);
    return { challenge: challenge.challenge, solution: await solve(challenge) };
  }

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Ask until the answer is a ticket: solving challenges, waiting out a pre-queue until its draw. */
  async function purchase(saleId: string, buyOptions: BuyOptions): Promise<TicketReceipt | TicketView> {
    const idempotencyKey = buyOptions.idempotencyKey ?? newIdempotencyKey();
    let solved: SolvedChallenge | undefined;
    for (let challenges = 0; ;) {
      if (closed) throw closedError();
      if (!solved && challengeSales.has(saleId)) {
        solved = await solvedChallenge(saleId, buyOptions.onChallenge);
        challenges += 1;
      }
      let answer: Awaited<ReturnType<typeof api.buy>>;
      try {
        answer = await api.buy(saleId, idempotencyKey, solved);
      } catch (error) {
        // A sale with bot friction (or a used or expired challenge): solve a fresh one, twice at most.
        const code = error instanceof SeckillApiError ? error.code : undefined;
        if ((code !== 'CHALLENGE_REQUIRED' && code !== 'CHALLENGE_INVALID') || challenges >= 2) throw error;
        challengeSales.add(saleId);
        solved = undefined;
        continue;
      }
      if (answer.status !== 'PREQUEUED') return answer;
      // In the pre-queue: ask again once it is drawn (the place is then a ticket, asked without a
      // challenge), spread over half a second so the pre-queue does not ask all at once.
      buyOptions.onPrequeued?.(answer);
      solved = undefined;
      challengeSales.delete(saleId);
      await sleep(Math.max(250, answer.drawsInMs + Math.floor(random() * 500)));
    }
  }

  return {
    async buy(saleId, buyOptions = {}) {
      if (closed) throw closedError();
      const receipt = await purchase(saleId, buyOptions);
      const result = track(receipt.ticketId);
      accept({ ...receipt, via: 'buy' });
      return { ticket: receipt, result };
    },
    getOrder: (orderId) => api.getOrder(orderId),
    pay: (orderId) => api.pay(orderId),
    track,
    getTicket: (ticketId) => api.getTicket(ticketId),
    async cancel(ticketId) {
      const view = await api.cancel(ticketId);
      const parsed = parseTicketId(ticketId);
      const update: TicketUpdate = {
        saleId: parsed?.saleId ?? '',
        ticketNumber: parsed?.ticketNumber ?? 0,
        ...view,
        ticketId,
        status: view?.status ?? 'CANCELLED',
        via: 'cancel',
      };
      accept(update);
      return finals.get(ticketId) ?? update;
    },
    getSale: (saleId) => api.getSale(saleId),
    on: (name, listener) => emitter.on(name, listener),
    off: (name, listener) => emitter.off(name, listener),
    get connection() {
      return push.state;
    },
    close() {
      if (closed) return;
      push.close();
      closed = true;
      for (const ticket of waiting.values()) {
        clearTimeout(ticket.pollTimer);
        ticket.reject(closedError());
      }
      waiting.clear();
      emitter.removeAll();
    },
  };
}

/** `crypto.randomUUID` only exists in secure contexts (https, localhost); plain http on a phone has none. */
function newIdempotencyKey(): string {
  const cryptoApi = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (typeof cryptoApi?.randomUUID === 'function') return cryptoApi.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}
