import { createSeckillClient, type FetchLike, type SeckillClient, type TicketUpdate, type WebSocketConstructor } from '@seckill/client';
import WebSocket from 'ws';
import type { Behaviour } from './crowd';
import type { PurchaseAttempt } from './invariants';

/** A ticket event as one session's sockets received it. */
export interface ReceivedEvent {
  ticketId: string;
  status: string;
  orderId?: string;
  /** Epoch ms of receipt. */
  receivedAt: number;
}

/** One SDK client (a browser tab), with everything its sockets received. */
export interface Session {
  sessionId: string;
  userId: string;
  client: SeckillClient;
  /** Physical sockets opened so far (1 + reconnects). */
  sockets: number;
  /** Push node of every socket, in order. */
  nodes: string[];
  current: WebSocket | undefined;
  events: ReceivedEvent[];
  /** `ready` messages received, and whether they named this session's user. */
  readies: number;
  foreignReady: boolean;
}

/** One press of a purchase request, as the shopper saw it (the coordinator adds the user id). */
export type Click = Omit<PurchaseAttempt, 'userId'> & { gatewayUrl: string };

/** A ticket this shopper was handed, and how their SDK saw it end. */
export interface HeldTicket {
  ticketId: string;
  wave: number;
  /** Epoch ms of the first answer carrying it, and of the click that got it. */
  issuedAt: number;
  clickedAt: number;
  result?: { status: string; reason?: string; via: TicketUpdate['via'] | 'error'; at: number };
}

export interface Shopper {
  userId: string;
  token: string;
  /** The gateway the shopper's page came from; the SDK clients are built for it. */
  homeGatewayUrl: string;
  /** The gateway their requests go to now (a press again may move them to another one). */
  gatewayUrl: string;
  behaviour: Behaviour;
  sessions: Session[];
  /** Every press of every purchase request, retries included. */
  clicks: Click[];
  /** Every ticket this shopper was ever handed, in order (a cancel frees the user to buy again). */
  tickets: Map<string, HeldTicket>;
  cancel?: { ticketId: string; status: number; code?: string };
  /** The gateway's own time for the shopper's last purchase request (Server-Timing). */
  lastServerMs?: number | undefined;
}

/**
 * The SDK's WebSocket, instrumented: each session gets the `ws` class bound to its
 * source address, recording every message its sockets receive (the SDK drops
 * duplicates; the invariants need to know what each session actually got).
 */
function instrumentedSocket(session: Session, localAddress: string | undefined): WebSocketConstructor {
  class InstrumentedWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { perMessageDeflate: false, ...(localAddress ? { localAddress } : {}) });
      session.sockets++;
      session.nodes.push(url);
      session.current = this;
      this.on('message', (data: WebSocket.RawData) => record(session, data));
    }
  }
  return InstrumentedWebSocket as unknown as WebSocketConstructor;
}

function record(session: Session, data: WebSocket.RawData): void {
  let message: { type?: unknown; ticketId?: unknown; status?: unknown; orderId?: unknown; userId?: unknown };
  try {
    message = JSON.parse(data.toString()) as typeof message;
  } catch {
    return;
  }
  if (message.type === 'ready') {
    session.readies++;
    if (message.userId !== undefined && message.userId !== session.userId) session.foreignReady = true;
  } else if (message.type === 'ticket' && typeof message.ticketId === 'string' && typeof message.status === 'string') {
    session.events.push({
      ticketId: message.ticketId,
      status: message.status,
      ...(typeof message.orderId === 'string' ? { orderId: message.orderId } : {}),
      receivedAt: Date.now(),
    });
  }
}

export function openSession(options: {
  sessionId: string;
  userId: string;
  token: string;
  gatewayUrl: string;
  pushUrls: string[];
  /** Index of the push node to start on (the SDK then rotates on reconnect). */
  firstNode: number;
  localAddress: string | undefined;
  fetch: FetchLike;
}): Session {
  const session = {
    sessionId: options.sessionId,
    userId: options.userId,
    sockets: 0,
    nodes: [],
    current: undefined,
    events: [],
    readies: 0,
    foreignReady: false,
  } as unknown as Session;
  // The SDK starts on node floor(random() × n): the first draw picks our node, later ones are jitter.
  let firstDraw = true;
  const nodes = options.pushUrls.length;
  const random = () => {
    if (!firstDraw) return Math.random();
    firstDraw = false;
    return (options.firstNode % nodes) / nodes + 0.5 / nodes;
  };
  session.client = createSeckillClient({
    gatewayUrl: options.gatewayUrl,
    pushUrls: options.pushUrls,
    token: options.token,
    WebSocket: instrumentedSocket(session, options.localAddress),
    fetch: options.fetch,
    random,
    // Ready push makes polling a rare safety net; the SDK polls sooner while push is away.
    pollIntervalMs: 1_000,
    readyPollIntervalMs: 30_000,
  });
  return session;
}

export function isReady(session: Session): boolean {
  return session.client.connection.status === 'ready';
}

/** Drop the connection the way a network does (no close frame); the SDK reconnects. */
export function dropConnection(session: Session): void {
  session.current?.terminate();
}
