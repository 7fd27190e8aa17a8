import type { PrismaClient } from '@seckill/db';
import type { RedisClient } from '@seckill/platform';
import type { ShopperRecord } from '../crowd-shard';
import type { Chaos } from '../fault-injector';
import { checkInvariants, type CrowdObservations, type InvariantResult } from '../invariants';
import { readSnapshot, type Snapshot } from '../state-snapshot';
import type { RunContext } from './context';

export interface Checked {
  snapshot: Snapshot;
  crowd: CrowdObservations;
  invariants: InvariantResult[];
}

/** The truth, from PostgreSQL and Redis, against what the shoppers saw. */
export async function checkRun(
  run: RunContext,
  input: { prisma: PrismaClient; redis: RedisClient; saleId: string; shoppers: ShopperRecord[]; chaos: Chaos },
): Promise<Checked> {
  const { shoppers } = input;
  const crowd = observations(shoppers, input.chaos);
  const snapshot = await readSnapshot({
    prisma: input.prisma,
    redis: input.redis,
    saleId: input.saleId,
    knownTicketIds: crowd.handedOut.map((t) => t.ticketId),
  });
  const invariants = checkInvariants(snapshot, crowd, run.options.bounds);
  if (shoppers.some((shopper) => shopper.sessions.some((session) => session.foreignReady))) {
    invariants.push({
      name: 'push-auth-identity',
      description: 'Each push session is ready as its own user',
      status: 'fail',
      details: 'a session was greeted as another user',
    });
  }
  return { snapshot, crowd, invariants };
}

/** What the shoppers saw, in the invariants' terms. */
export function observations(shoppers: readonly ShopperRecord[], chaos: Pick<Chaos, 'windows'>): CrowdObservations {
  const polled: CrowdObservations['polled'] = new Map();
  for (const shopper of shoppers) {
    for (const view of shopper.polled) {
      polled.set(
        view.ticketId,
        view.error !== undefined ? { error: view.error } : { status: view.status!, ...(view.orderId ? { orderId: view.orderId } : {}) },
      );
    }
  }
  return {
    handedOut: shoppers.flatMap((shopper) =>
      shopper.tickets.map(({ ticketId, wave, issuedAt, result }) => ({
        ticketId,
        userId: shopper.userId,
        wave,
        issuedAt,
        ...(result ? { final: { status: result.status, ...(result.reason ? { reason: result.reason } : {}), at: result.at } } : {}),
        ...(shopper.cancel?.ticketId === ticketId && shopper.cancel.status === 200 ? { cancelledByOwner: true } : {}),
      })),
    ),
    clickMismatches: clickMismatches(shoppers),
    distinctBuyers: shoppers.length,
    sessions: shoppers.flatMap((shopper) =>
      shopper.sessions.map(({ sessionId, connectedAtEnd, events }) => ({ sessionId, userId: shopper.userId, connectedAtEnd, events })),
    ),
    polled,
    attempts: shoppers.flatMap((shopper) =>
      shopper.clicks.map(({ gatewayUrl: _gatewayUrl, ...click }) => ({ ...click, userId: shopper.userId })),
    ),
    faults: chaos.windows(),
  };
}

function clickMismatches(shoppers: readonly ShopperRecord[]): CrowdObservations['clickMismatches'] {
  const mismatches: CrowdObservations['clickMismatches'] = [];
  for (const shopper of shoppers) {
    const byWave = new Map<number, Set<string>>();
    for (const c of shopper.clicks) {
      if (!c.ticketId) continue;
      const ids = byWave.get(c.wave) ?? new Set();
      ids.add(c.ticketId);
      byWave.set(c.wave, ids);
    }
    for (const ids of byWave.values()) if (ids.size > 1) mismatches.push({ userId: shopper.userId, ticketIds: [...ids] });
  }
  return mismatches;
}
