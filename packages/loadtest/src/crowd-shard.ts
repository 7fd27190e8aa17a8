import { randomUUID } from 'node:crypto';
import { SeckillApiError, type FetchLike, type Purchase } from '@seckill/client';
import type { Behaviour } from './crowd';
import { fireHerd, type Shot } from './herd';
import { createHttpPool, type HttpPool } from './http-pool';
import type { PurchaseKind } from './invariants';
import { pressUntilAnswered, type PressAgainPolicy, type PressOutcome } from './press-again';
import { dropConnection, isReady, openSession, type Click, type HeldTicket, type ReceivedEvent, type Shopper } from './shoppers';

/**
 * A share of the crowd, living in one process. One process cannot hold 20k sockets
 * under a 20k open-files limit, so the coordinator splits the shoppers over shards
 * (child processes, or this process for small runs) and drives them in lockstep:
 * every method takes and returns plain JSON.
 */

export type Tag = PurchaseKind;

export interface ShopperSpec {
  userId: string;
  token: string;
  gatewayUrl: string;
  behaviour: Behaviour;
  /** Token for the bad-token request (forged, expired or garbage). */
  badToken?: string;
  /** Which malformed request this shopper also sends. */
  malformed?: 'malformed' | 'unknown-sale';
  /** Push node index of the first session. */
  firstNode: number;
}

export interface ShardInit {
  shard: number;
  shoppers: ShopperSpec[];
  pushUrls: string[];
  /** Every gateway: a shopper who presses again goes to the next one. */
  gatewayUrls: string[];
  pressAgain: PressAgainPolicy;
  localAddresses: Array<string | undefined>;
  connections: number;
  timeoutMs: number;
}

/** One press's answer (a shot pressed again gives several); times are epoch ms. */
export interface Answer {
  tag: Tag | 'hello';
  startedAt: number;
  answeredAt: number;
  status: number;
  code?: string;
}

export interface ShardProgress {
  /** Shots answered so far in the current herd. */
  answered: number;
  sessions: number;
  ready: number;
  /** Tickets handed out, and those whose final state the SDK settled. */
  holders: number;
  resolved: number;
}

/** What the coordinator needs of each shopper for the invariants and figures. */
export interface ShopperRecord {
  userId: string;
  behaviour: Behaviour;
  clicks: Click[];
  tickets: HeldTicket[];
  cancel?: Shopper['cancel'];
  polled: Array<{ ticketId: string; status?: string; orderId?: string; error?: string }>;
  sessions: Array<{
    sessionId: string;
    nodes: string[];
    sockets: number;
    connectedAtEnd: boolean;
    foreignReady: boolean;
    events: ReceivedEvent[];
  }>;
}

export interface CrowdShard {
  connect(): Promise<{ sessionsPerNode: Record<string, number> }>;
  progress(): Promise<ShardProgress>;
  fireHello(args: { url: string; count: number; at: number; warmup: number }): Promise<Answer[]>;
  warmup(args: { urls: string[] }): Promise<void>;
  fireEarly(args: { saleId: string }): Promise<Answer[]>;
  fireHerd(args: { saleId: string; at: number }): Promise<{ answers: Answer[]; forcedDisconnects: number }>;
  waitForResults(args: { deadline: number }): Promise<{ pending: number }>;
  counts(): Promise<{ succeeded: number; candidates: number; accepted: number }>;
  resaleWave(args: { saleId: string; count: number; wave: number; at: number }): Promise<{ answers: Answer[] }>;
  awaitDelivery(args: { graceMs: number }): Promise<{ undelivered: number }>;
  finish(): Promise<{ shoppers: ShopperRecord[] }>;
  close(): Promise<void>;
}

export function createCrowdShard(init: ShardInit): CrowdShard {
  // A shopper's patience runs from when their request is sent, not while it waits for one of the
  // pool's connections (a real shopper has a connection of their own).
  const pool: HttpPool = createHttpPool({
    connections: init.connections,
    timeoutMs: init.timeoutMs,
    answerTimeoutMs: init.pressAgain.patienceMs,
  });
  // A shopper's own follow-ups (cancel, polls) travel on their own connections, as from their own
  // browser: queued behind the whole herd in one pool, every cancel would arrive after the worker.
  const followUps: HttpPool = createHttpPool({ connections: Math.max(8, Math.ceil(init.connections / 4)), timeoutMs: init.timeoutMs });
  const specs = new Map(init.shoppers.map((spec) => [spec.userId, spec]));
  const shoppers: Shopper[] = init.shoppers.map((spec) => ({
    userId: spec.userId,
    token: spec.token,
    homeGatewayUrl: spec.gatewayUrl,
    gatewayUrl: spec.gatewayUrl,
    behaviour: spec.behaviour,
    sessions: [],
    clicks: [],
    tickets: new Map(),
  }));
  const sessions = () => shoppers.flatMap((shopper) => shopper.sessions);
  const allTickets = () => shoppers.flatMap((shopper) => [...shopper.tickets.values()]);
  let connectedAtEnd = new Map<string, boolean>();
  let answered = 0;
  let requests = 0;

  /** The SDK's requests go wherever the shopper is sent now (their home gateway until they press again elsewhere). */
  function shopperFetch(shopper: Shopper): FetchLike {
    return async (url, request) => {
      const routed = shopper.gatewayUrl + url.slice(shopper.homeGatewayUrl.length);
      if (request?.method !== 'POST') return followUps.fetch(routed, request);
      const response = await pool.fetch(routed, request);
      shopper.lastServerMs = serverTiming(response.headers.get('server-timing'));
      return response;
    };
  }

  /** Follow a ticket handed to the shopper until the SDK settles its final state. */
  function hold(shopper: Shopper, ticketId: string, wave: number, clickedAt: number, result: Purchase['result']): void {
    if (shopper.tickets.has(ticketId)) return;
    const held: HeldTicket = { ticketId, wave, issuedAt: Date.now(), clickedAt };
    shopper.tickets.set(ticketId, held);
    result.then(
      (update) =>
        void (held.result = {
          status: update.status,
          ...(update.reason ? { reason: update.reason } : {}),
          via: update.via,
          at: Date.now(),
        }),
      (error: unknown) => void (held.result = { status: `ERROR ${errorCode(error) ?? ''}`.trim(), via: 'error', at: Date.now() }),
    );
  }

  /** One purchase request of `shopper`, pressed again (next gateway) after no answer or a 503; every press is recorded. */
  async function press(
    shopper: Shopper,
    kind: Tag,
    wave: number,
    send: () => Promise<PressOutcome & { ticketId?: string }>,
  ): Promise<Answer[]> {
    const requestId = `${shopper.userId}#${++requests}`;
    const presses = await pressUntilAnswered(
      async (gatewayUrl, attempt) => {
        shopper.gatewayUrl = gatewayUrl;
        const startedAt = Date.now();
        const outcome = await send().catch((error: unknown) => ({
          startedAt,
          answeredAt: Date.now(),
          status: 0,
          code: errorCode(error) ?? 'ERROR',
        }));
        shopper.clicks.push({ requestId, kind, wave, attempt, gatewayUrl, ...outcome });
        return outcome;
      },
      { gatewayUrls: init.gatewayUrls, firstGateway: Math.max(0, init.gatewayUrls.indexOf(shopper.gatewayUrl)), policy: init.pressAgain },
    );
    return presses.map(({ startedAt, answeredAt, status, code }) => ({
      tag: kind,
      startedAt,
      answeredAt,
      status,
      ...(code ? { code } : {}),
    }));
  }

  const buy = (shopper: Shopper, saleId: string, wave: number) =>
    press(shopper, wave < 0 ? 'early' : 'buy', wave, async () => {
      const startedAt = Date.now();
      shopper.lastServerMs = undefined;
      const timed = () => (shopper.lastServerMs === undefined ? {} : { serverMs: shopper.lastServerMs });
      try {
        const purchase = await shopper.sessions[0]!.client.buy(saleId);
        const ticketId = purchase.ticket.ticketId;
        hold(shopper, ticketId, wave, startedAt, purchase.result);
        // 200 carries the ticket when it is already final; 202 a QUEUED receipt.
        return { startedAt, answeredAt: Date.now(), status: purchase.ticket.status === 'QUEUED' ? 202 : 200, ticketId, ...timed() };
      } catch (error) {
        const code = errorCode(error);
        return {
          startedAt,
          answeredAt: Date.now(),
          status: error instanceof SeckillApiError ? error.status : 0,
          ...(code ? { code } : {}),
          ...timed(),
        };
      }
    });

  /** A request outside the SDK (broken body, unknown sale, bad token), to the gateway the shopper is sent to. */
  const rawPost = (shopper: Shopper, kind: Tag, path: string, headers: Record<string, string>, body?: string) =>
    press(shopper, kind, 0, async () => {
      const startedAt = Date.now();
      const response = await pool.fetch(`${shopper.gatewayUrl}${path}`, {
        method: 'POST',
        headers,
        ...(body !== undefined ? { body } : {}),
      });
      const text = await response.text();
      let code: string | undefined;
      try {
        code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
      } catch {
        code = undefined;
      }
      const serverMs = serverTiming(response.headers.get('server-timing'));
      return {
        startedAt,
        answeredAt: Date.now(),
        status: response.status,
        ...(code ? { code } : {}),
        ...(serverMs === undefined ? {} : { serverMs }),
      };
    });

  async function shoot(shots: Array<{ tag: Answer['tag']; fire: () => Promise<Answer[]> }>, at: number): Promise<Answer[]> {
    const collected: Answer[] = [];
    answered = 0;
    const herdShots: Array<Shot<Answer['tag']>> = shots.map((shot) => ({
      tag: shot.tag,
      fire: async () => {
        const answers = await shot
          .fire()
          .catch((error: unknown) => [
            { tag: shot.tag, startedAt: at, answeredAt: Date.now(), status: 0, code: errorCode(error) ?? 'ERROR' },
          ]);
        collected.push(...answers);
        answered++;
        return answers.at(-1)!;
      },
    }));
    await fireHerd(herdShots, { at });
    return collected;
  }

  async function hello(url: string, token: string): Promise<Answer> {
    const startedAt = Date.now();
    const response = await pool.fetch(`${url}/api/sales/hello/orders`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    await response.text();
    return { tag: 'hello', startedAt, answeredAt: Date.now(), status: response.status };
  }

  return {
    async connect() {
      let sessionIndex = 0;
      const BATCH = 500;
      for (let i = 0; i < shoppers.length; i += BATCH) {
        const batch = shoppers.slice(i, i + BATCH);
        for (const shopper of batch) {
          const spec = specs.get(shopper.userId)!;
          const tabs = shopper.behaviour.secondTab ? 2 : 1;
          for (let tab = 0; tab < tabs; tab++) {
            shopper.sessions.push(
              openSession({
                sessionId: `${shopper.userId}/${tab + 1}`,
                userId: shopper.userId,
                token: shopper.token,
                gatewayUrl: shopper.homeGatewayUrl,
                pushUrls: init.pushUrls,
                firstNode: spec.firstNode + tab,
                localAddress: init.localAddresses[sessionIndex++ % init.localAddresses.length],
                fetch: shopperFetch(shopper),
              }),
            );
          }
        }
        await waitUntil(
          () => batch.every((shopper) => shopper.sessions.every(isReady)),
          60_000,
          () => {
            const notReady = batch.flatMap((s) => s.sessions).filter((s) => !isReady(s));
            return `shard ${init.shard}: ${notReady.length} session(s) not ready, e.g. ${notReady[0]?.sessionId} ${JSON.stringify(notReady[0]?.client.connection)}`;
          },
        );
      }
      const sessionsPerNode: Record<string, number> = {};
      for (const session of sessions()) {
        const node = session.nodes.at(-1) ?? 'none';
        sessionsPerNode[node] = (sessionsPerNode[node] ?? 0) + 1;
      }
      return { sessionsPerNode };
    },

    async progress() {
      const all = sessions();
      const tickets = allTickets();
      return {
        answered,
        sessions: all.length,
        ready: all.filter(isReady).length,
        holders: tickets.length,
        resolved: tickets.filter((t) => t.result).length,
      };
    },

    async fireHello({ url, count, at, warmup }) {
      const shot = (i: number) => ({ tag: 'hello' as const, fire: async () => [await hello(url, shoppers[i % shoppers.length]!.token)] });
      await shoot(
        Array.from({ length: warmup }, (_, i) => shot(i)),
        Date.now(),
      );
      return shoot(
        Array.from({ length: count }, (_, i) => shot(i)),
        at,
      );
    },

    async warmup({ urls }) {
      for (const url of urls) {
        await Promise.all(
          Array.from({ length: init.connections }, () =>
            pool
              .fetch(url)
              .then((r) => r.text())
              .catch(() => undefined),
          ),
        );
      }
    },

    async fireEarly({ saleId }) {
      const early = shoppers.filter((s) => s.behaviour.early);
      return (await Promise.all(early.map((shopper) => buy(shopper, saleId, -1)))).flat();
    },

    async fireHerd({ saleId, at }) {
      const cancels: Array<Promise<void>> = [];
      let forcedDisconnects = 0;
      const afterClicks = (shopper: Shopper) => {
        const ticketId = shopper.tickets.keys().next().value;
        if (!ticketId) return;
        if (shopper.behaviour.cancel) {
          cancels.push(
            shopper.sessions[0]!.client.cancel(ticketId).then(
              () => void (shopper.cancel = { ticketId, status: 200 }),
              (error: unknown) =>
                void (shopper.cancel = {
                  ticketId,
                  status: error instanceof SeckillApiError ? error.status : 0,
                  ...(errorCode(error) ? { code: errorCode(error)! } : {}),
                }),
            ),
          );
        }
        if (shopper.behaviour.reconnect) {
          for (const session of shopper.sessions) dropConnection(session);
          forcedDisconnects += shopper.sessions.length;
        }
      };
      const shots: Array<{ tag: Tag; fire: () => Promise<Answer[]> }> = [];
      for (const shopper of shoppers) {
        const spec = specs.get(shopper.userId)!;
        let remaining = shopper.behaviour.clicks;
        for (let c = 0; c < shopper.behaviour.clicks; c++) {
          // Cancel and drop only once all of this shopper's clicks are answered (a cancel frees the user to buy again).
          shots.push({ tag: 'buy', fire: () => buy(shopper, saleId, 0).finally(() => --remaining === 0 && afterClicks(shopper)) });
        }
        const orders = `/api/sales/${saleId}/orders`;
        if (spec.malformed === 'malformed') {
          const headers = { authorization: `Bearer ${shopper.token}`, 'content-type': 'application/json' };
          shots.push({ tag: 'malformed', fire: () => rawPost(shopper, 'malformed', orders, headers, '{"quantity": 1,') });
        } else if (spec.malformed === 'unknown-sale') {
          shots.push({
            tag: 'unknown-sale',
            fire: () => rawPost(shopper, 'unknown-sale', `/api/sales/${randomUUID()}/orders`, { authorization: `Bearer ${shopper.token}` }),
          });
        }
        if (spec.badToken !== undefined) {
          const headers = { authorization: `Bearer ${spec.badToken}` };
          shots.push({ tag: 'bad-token', fire: () => rawPost(shopper, 'bad-token', orders, headers) });
        }
      }
      shuffle(shots);
      const answers = await shoot(shots, at);
      await Promise.all(cancels);
      return { answers, forcedDisconnects };
    },

    async waitForResults({ deadline }) {
      await waitUntil(
        () => allTickets().every((t) => t.result),
        Math.max(0, deadline - Date.now()),
        () => '',
      ).catch(() => undefined);
      return { pending: allTickets().filter((t) => !t.result).length };
    },

    async counts() {
      const tickets = allTickets();
      return {
        succeeded: tickets.filter((t) => t.result?.status === 'SUCCEEDED').length,
        candidates: shoppers.filter((s) => s.tickets.size === 0).length,
        accepted: tickets.length,
      };
    },

    async resaleWave({ saleId, count, wave, at }) {
      const buyers = shoppers.filter((s) => s.tickets.size === 0).slice(0, count);
      return {
        answers: await shoot(
          buyers.map((shopper) => ({ tag: 'buy' as const, fire: () => buy(shopper, saleId, wave) })),
          at,
        ),
      };
    },

    async awaitDelivery({ graceMs }) {
      const settled = shoppers.flatMap((shopper) =>
        [...shopper.tickets.values()].filter((t) => t.result).map((ticket) => ({ shopper, ticket })),
      );
      const undelivered = () =>
        settled.reduce(
          (n, { shopper, ticket }) =>
            n +
            shopper.sessions.filter(
              (session) => isReady(session) && !session.events.some((e) => e.ticketId === ticket.ticketId && e.status !== 'QUEUED'),
            ).length,
          0,
        );
      await waitUntil(
        () => undelivered() === 0,
        graceMs,
        () => '',
      ).catch(() => undefined);
      connectedAtEnd = new Map(sessions().map((session) => [session.sessionId, isReady(session)]));
      return { undelivered: undelivered() };
    },

    async finish() {
      // The polling view of every accepted ticket, through its owner's SDK.
      const polled = new Map<Shopper, ShopperRecord['polled']>();
      const jobs = shoppers.flatMap((shopper) => [...shopper.tickets.keys()].map((ticketId) => ({ shopper, ticketId })));
      await mapLimit(jobs, 32, async ({ shopper, ticketId }) => {
        const list = polled.get(shopper) ?? [];
        polled.set(shopper, list);
        try {
          const view = await shopper.sessions[0]!.client.getTicket(ticketId);
          list.push({ ticketId, status: view.status, ...(view.orderId ? { orderId: view.orderId } : {}) });
        } catch (error) {
          list.push({ ticketId, error: errorCode(error) ?? String(error) });
        }
      });
      for (const session of sessions()) session.client.close();
      return {
        shoppers: shoppers.map((shopper) => ({
          userId: shopper.userId,
          behaviour: shopper.behaviour,
          clicks: shopper.clicks,
          tickets: [...shopper.tickets.values()],
          ...(shopper.cancel ? { cancel: shopper.cancel } : {}),
          polled: polled.get(shopper) ?? [],
          sessions: shopper.sessions.map((session) => ({
            sessionId: session.sessionId,
            nodes: session.nodes,
            sockets: session.sockets,
            connectedAtEnd: connectedAtEnd.get(session.sessionId) ?? false,
            foreignReady: session.foreignReady,
            events: session.events,
          })),
        })),
      };
    },

    async close() {
      for (const session of sessions()) session.client.close();
      await Promise.allSettled([pool.close(), followUps.close()]);
    },
  };
}

/** The gateway's error code; for no answer, TIMEOUT (the shopper's patience ran out) or CONNECTION_LOST. */
function errorCode(error: unknown): string | undefined {
  if (error instanceof SeckillApiError && error.code !== 'NETWORK_ERROR') return error.code;
  const cause: unknown = error instanceof SeckillApiError ? error.cause : error;
  const name = cause instanceof Error || cause instanceof DOMException ? cause.name : undefined;
  if (name === 'TimeoutError' || name === 'AbortError' || (cause as { code?: unknown } | undefined)?.code === 'UND_ERR_HEADERS_TIMEOUT')
    return 'TIMEOUT';
  if (error instanceof SeckillApiError || (cause instanceof Error && 'code' in cause)) return 'CONNECTION_LOST';
  return error instanceof Error ? error.message : undefined;
}

function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

async function mapLimit<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitUntil(done: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${describe()}`);
    await sleep(25);
  }
}

/** The gateway's own time from its `Server-Timing: app;dur=<ms>` header. */
export function serverTiming(header: string | null): number | undefined {
  const match = header ? /(?:^|,)\s*app;dur=([\d.]+)/.exec(header) : null;
  return match ? Number(match[1]) : undefined;
}
