import { randomUUID } from 'node:crypto';
import { SeckillApiError, type FetchLike } from '@seckill/client';
import type { Behaviour } from './crowd';
import { fireHerd, type Shot } from './herd';
import { createHttpPool, type HttpPool } from './http-pool';
import type { RefusedKind } from './invariants';
import { dropConnection, isReady, openSession, type Click, type ReceivedEvent, type Shopper } from './shoppers';

/**
 * A share of the crowd, living in one process. One process cannot hold 20k sockets
 * under a 20k open-files limit, so the coordinator splits the shoppers over shards
 * (child processes, or this process for small runs) and drives them in lockstep:
 * every method takes and returns plain JSON.
 */

export type Tag = 'buy' | RefusedKind;

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
  localAddresses: Array<string | undefined>;
  connections: number;
  timeoutMs: number;
}

/** A shot's answer; times are epoch ms. */
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
  holders: number;
  resolved: number;
}

/** What the coordinator needs of each shopper for the invariants and figures. */
export interface ShopperRecord {
  userId: string;
  behaviour: Behaviour;
  clicks: Click[];
  tickets: string[];
  ticketId?: string;
  clickedAt?: number;
  result?: Shopper['result'];
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
  const pool: HttpPool = createHttpPool({ connections: init.connections, timeoutMs: init.timeoutMs });
  // A shopper's own follow-ups (cancel, polls) travel on their own connections, as from their own
  // browser: queued behind the whole herd in one pool, every cancel would arrive after the worker.
  const followUps: HttpPool = createHttpPool({ connections: Math.max(8, Math.ceil(init.connections / 4)), timeoutMs: init.timeoutMs });
  const sdkFetch: FetchLike = (url, request) => (request?.method === 'POST' ? pool.fetch(url, request) : followUps.fetch(url, request));
  const specs = new Map(init.shoppers.map((spec) => [spec.userId, spec]));
  const shoppers: Shopper[] = init.shoppers.map((spec) => ({
    userId: spec.userId,
    token: spec.token,
    gatewayUrl: spec.gatewayUrl,
    behaviour: spec.behaviour,
    sessions: [],
    clicks: [],
    tickets: new Set(),
  }));
  const sessions = () => shoppers.flatMap((shopper) => shopper.sessions);
  let connectedAtEnd = new Map<string, boolean>();
  let answered = 0;

  async function click(shopper: Shopper, saleId: string, wave: number): Promise<Omit<Answer, 'tag'>> {
    const at = Date.now();
    try {
      const purchase = await shopper.sessions[0]!.client.buy(saleId);
      const ticketId = purchase.ticket.ticketId;
      shopper.clicks.push({ wave, at, answeredAt: Date.now(), status: 202, ticketId });
      if (!shopper.tickets.has(ticketId)) {
        shopper.tickets.add(ticketId);
        if (!shopper.ticketId) {
          shopper.ticketId = ticketId;
          shopper.clickedAt = at;
          purchase.result.then(
            (update) => void (shopper.result = { status: update.status, via: update.via, at: Date.now() }),
            (error: unknown) => void (shopper.result = { status: `ERROR ${errorCode(error) ?? ''}`.trim(), via: 'error', at: Date.now() }),
          );
        }
      }
      return { startedAt: at, answeredAt: Date.now(), status: 202 };
    } catch (error) {
      const status = error instanceof SeckillApiError ? error.status : 0;
      const code = errorCode(error);
      shopper.clicks.push({ wave, at, answeredAt: Date.now(), status, ...(code ? { code } : {}) });
      return { startedAt: at, answeredAt: Date.now(), status, ...(code ? { code } : {}) };
    }
  }

  async function rawPost(url: string, headers: Record<string, string>, body?: string): Promise<Omit<Answer, 'tag'>> {
    const startedAt = Date.now();
    const response = await pool.fetch(url, { method: 'POST', headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
    } catch {
      code = undefined;
    }
    return { startedAt, answeredAt: Date.now(), status: response.status, ...(code ? { code } : {}) };
  }

  const toAnswers = (tagged: Array<{ tag: Answer['tag']; answer: Omit<Answer, 'tag'> }>): Answer[] =>
    tagged.map(({ tag, answer }) => ({ tag, ...answer }));

  async function shoot<T extends Answer['tag']>(shots: Array<{ tag: T; fire: () => Promise<Omit<Answer, 'tag'>> }>, at: number): Promise<Answer[]> {
    const collected: Array<{ tag: T; answer: Omit<Answer, 'tag'> }> = [];
    answered = 0;
    const herdShots: Array<Shot<T>> = shots.map((shot) => ({
      tag: shot.tag,
      fire: async () => {
        const answer = await shot.fire().catch((error: unknown) => ({ startedAt: at, answeredAt: Date.now(), status: 0, code: errorCode(error) ?? 'ERROR' }));
        collected.push({ tag: shot.tag, answer });
        answered++;
        return answer;
      },
    }));
    await fireHerd(herdShots, { at });
    return toAnswers(collected);
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
                gatewayUrl: shopper.gatewayUrl,
                pushUrls: init.pushUrls,
                firstNode: spec.firstNode + tab,
                localAddress: init.localAddresses[sessionIndex++ % init.localAddresses.length],
                fetch: sdkFetch,
              }),
            );
          }
        }
        await waitUntil(() => batch.every((shopper) => shopper.sessions.every(isReady)), 60_000, () => {
          const notReady = batch.flatMap((s) => s.sessions).filter((s) => !isReady(s));
          return `shard ${init.shard}: ${notReady.length} session(s) not ready, e.g. ${notReady[0]?.sessionId} ${JSON.stringify(notReady[0]?.client.connection)}`;
        });
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
      const holders = shoppers.filter((s) => s.ticketId);
      return { answered, sessions: all.length, ready: all.filter(isReady).length, holders: holders.length, resolved: holders.filter((s) => s.result).length };
    },

    async fireHello({ url, count, at, warmup }) {
      const shot = (i: number) => ({
        tag: 'hello' as const,
        fire: () => rawPost(`${url}/api/sales/hello/orders`, { authorization: `Bearer ${shoppers[i % shoppers.length]!.token}` }),
      });
      await shoot(Array.from({ length: warmup }, (_, i) => shot(i)), Date.now());
      return shoot(Array.from({ length: count }, (_, i) => shot(i)), at);
    },

    async warmup({ urls }) {
      for (const url of urls) {
        await Promise.all(Array.from({ length: init.connections }, () => pool.fetch(url).then((r) => r.text()).catch(() => undefined)));
      }
    },

    async fireEarly({ saleId }) {
      const early = shoppers.filter((s) => s.behaviour.early);
      const answers = await Promise.all(early.map((shopper) => click(shopper, saleId, -1)));
      return answers.map((answer) => ({ tag: 'early', ...answer }));
    },

    async fireHerd({ saleId, at }) {
      const cancels: Array<Promise<void>> = [];
      let forcedDisconnects = 0;
      const afterClicks = (shopper: Shopper) => {
        if (!shopper.ticketId) return;
        if (shopper.behaviour.cancel) {
          cancels.push(
            shopper.sessions[0]!.client.cancel(shopper.ticketId).then(
              () => void (shopper.cancel = { status: 200 }),
              (error: unknown) => void (shopper.cancel = { status: error instanceof SeckillApiError ? error.status : 0, ...(errorCode(error) ? { code: errorCode(error)! } : {}) }),
            ),
          );
        }
        if (shopper.behaviour.reconnect) {
          for (const session of shopper.sessions) dropConnection(session);
          forcedDisconnects += shopper.sessions.length;
        }
      };
      const shots: Array<{ tag: Tag; fire: () => Promise<Omit<Answer, 'tag'>> }> = [];
      for (const shopper of shoppers) {
        const spec = specs.get(shopper.userId)!;
        let remaining = shopper.behaviour.clicks;
        for (let c = 0; c < shopper.behaviour.clicks; c++) {
          // Cancel and drop only once all of this shopper's clicks are answered (a cancel frees the user to buy again).
          shots.push({ tag: 'buy', fire: () => click(shopper, saleId, 0).finally(() => --remaining === 0 && afterClicks(shopper)) });
        }
        if (spec.malformed === 'malformed') {
          const body = '{"quantity": 1,';
          shots.push({ tag: 'malformed', fire: () => rawPost(`${shopper.gatewayUrl}/api/sales/${saleId}/orders`, { authorization: `Bearer ${shopper.token}`, 'content-type': 'application/json' }, body) });
        } else if (spec.malformed === 'unknown-sale') {
          shots.push({ tag: 'unknown-sale', fire: () => rawPost(`${shopper.gatewayUrl}/api/sales/${randomUUID()}/orders`, { authorization: `Bearer ${shopper.token}` }) });
        }
        if (spec.badToken !== undefined) {
          const token = spec.badToken;
          shots.push({ tag: 'bad-token', fire: () => rawPost(`${shopper.gatewayUrl}/api/sales/${saleId}/orders`, { authorization: `Bearer ${token}` }) });
        }
      }
      shuffle(shots);
      const answers = await shoot(shots, at);
      await Promise.all(cancels);
      return { answers, forcedDisconnects };
    },

    async waitForResults({ deadline }) {
      const holders = shoppers.filter((s) => s.ticketId);
      await waitUntil(() => holders.every((s) => s.result), Math.max(0, deadline - Date.now()), () => '').catch(() => undefined);
      return { pending: holders.filter((s) => !s.result).length };
    },

    async counts() {
      return {
        succeeded: shoppers.filter((s) => s.result?.status === 'SUCCEEDED').length,
        candidates: shoppers.filter((s) => s.tickets.size === 0).length,
        accepted: shoppers.reduce((n, s) => n + s.tickets.size, 0),
      };
    },

    async resaleWave({ saleId, count, wave, at }) {
      const buyers = shoppers.filter((s) => s.tickets.size === 0).slice(0, count);
      return { answers: await shoot(buyers.map((shopper) => ({ tag: 'buy' as const, fire: () => click(shopper, saleId, wave) })), at) };
    },

    async awaitDelivery({ graceMs }) {
      const holders = shoppers.filter((s) => s.ticketId && s.result);
      const undelivered = () =>
        holders.reduce((n, s) => n + s.sessions.filter((session) => isReady(session) && !session.events.some((e) => e.ticketId === s.ticketId && e.status !== 'QUEUED')).length, 0);
      await waitUntil(() => undelivered() === 0, graceMs, () => '').catch(() => undefined);
      connectedAtEnd = new Map(sessions().map((session) => [session.sessionId, isReady(session)]));
      return { undelivered: undelivered() };
    },

    async finish() {
      // The polling view of every accepted ticket, through its owner's SDK.
      const polled = new Map<Shopper, ShopperRecord['polled']>();
      const jobs = shoppers.flatMap((shopper) => [...shopper.tickets].map((ticketId) => ({ shopper, ticketId })));
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
          tickets: [...shopper.tickets],
          ...(shopper.ticketId ? { ticketId: shopper.ticketId, clickedAt: shopper.clickedAt! } : {}),
          ...(shopper.result ? { result: shopper.result } : {}),
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

function errorCode(error: unknown): string | undefined {
  if (error instanceof SeckillApiError) return error.code;
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
