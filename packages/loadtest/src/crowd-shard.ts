import type { Behaviour } from './crowd';
import { createHttpPool, type HttpPool } from './http-pool';
import type { PurchaseKind } from './invariants';
import type { PressAgainPolicy } from './press-again';
import { shopperRecords } from './shard/records';
import { connectSessions, undeliveredCounter } from './shard/sessions';
import { createPurchases } from './shard/purchases';
import { createShooter, herdShots } from './shard/volleys';
import { isReady, type Click, type HeldTicket, type ReceivedEvent, type Shopper } from './shoppers';
import { waitUntil } from './wait';

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

/**
 * The shard's parts: `shard/purchases` sends and records the requests, `shard/sessions` holds the
 * push sessions, `shard/volleys` fires shots at once, `shard/records` reports what each shopper saw.
 */
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
  const purchases = createPurchases({ init, pool, followUps });
  const shooter = createShooter();
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

  return {
    async connect() {
      return { sessionsPerNode: await connectSessions({ init, shoppers, specs, fetchFor: purchases.fetchFor }) };
    },

    async progress() {
      const all = sessions();
      const tickets = allTickets();
      return {
        answered: shooter.answered(),
        sessions: all.length,
        ready: all.filter(isReady).length,
        holders: tickets.length,
        resolved: tickets.filter((t) => t.result).length,
      };
    },

    async fireHello({ url, count, at, warmup }) {
      const shot = (i: number) => ({
        tag: 'hello' as const,
        fire: async () => [await purchases.hello(url, shoppers[i % shoppers.length]!.token)],
      });
      await shooter.shoot(
        Array.from({ length: warmup }, (_, i) => shot(i)),
        Date.now(),
      );
      return shooter.shoot(
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
      return (await Promise.all(early.map((shopper) => purchases.buy(shopper, saleId, -1)))).flat();
    },

    async fireHerd({ saleId, at }) {
      const herd = herdShots({ shoppers, specs, saleId, purchases });
      const answers = await shooter.shoot(herd.shots, at);
      const { forcedDisconnects } = await herd.settled();
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
        answers: await shooter.shoot(
          buyers.map((shopper) => ({ tag: 'buy' as const, fire: () => purchases.buy(shopper, saleId, wave) })),
          at,
        ),
      };
    },

    async awaitDelivery({ graceMs }) {
      const undelivered = undeliveredCounter(shoppers);
      await waitUntil(
        () => undelivered() === 0,
        graceMs,
        () => '',
      ).catch(() => undefined);
      connectedAtEnd = new Map(sessions().map((session) => [session.sessionId, isReady(session)]));
      return { undelivered: undelivered() };
    },

    async finish() {
      const records = await shopperRecords(shoppers, connectedAtEnd);
      for (const session of sessions()) session.client.close();
      return { shoppers: records };
    },

    async close() {
      for (const session of sessions()) session.client.close();
      await Promise.allSettled([pool.close(), followUps.close()]);
    },
  };
}
