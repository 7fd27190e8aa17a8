import type { PrismaClient } from '@seckill/db';
import type { ShopperRecord } from '../crowd-shard';
import { sum, type RunContext } from './context';
import type { Crowd } from './shoppers';

/** How long connected sessions get to receive a result the SDK already settled (another tab, a reconnect). */
const DELIVERY_GRACE_MS = 10_000;

/** Every connected session of a ticket's user should also have the result; then every ticket is polled once and the crowd reports. */
export async function collectDeliveries(run: RunContext, crowd: Crowd): Promise<ShopperRecord[]> {
  const undelivered = sum(
    await Promise.all(crowd.shards.map((shard) => shard.awaitDelivery({ graceMs: DELIVERY_GRACE_MS }))),
    (d) => d.undelivered,
  );
  if (undelivered)
    run.notes.push(`${undelivered} connected session(s) still had no final state ${DELIVERY_GRACE_MS} ms after the SDK settled`);
  const finished = await Promise.all(crowd.shards.map((shard) => shard.finish()));
  return finished.flatMap((part) => part.shoppers);
}

/** `--fault` (tests only): corrupt the finished run from outside the apps, to prove the checker fails. */
export async function breakTheRun(run: RunContext, shoppers: ShopperRecord[], prisma: PrismaClient, saleId: string): Promise<void> {
  const { faults } = run.options;
  if (faults.includes('lost-push')) {
    const victim = shoppers.find((s) => s.tickets.length && s.sessions.some((session) => session.connectedAtEnd));
    const ticketId = victim?.tickets[0]?.ticketId;
    const session = victim?.sessions.find((candidate) => candidate.connectedAtEnd);
    if (session) session.events = session.events.filter((event) => event.ticketId !== ticketId);
    run.notes.push(`FAULT lost-push: forgot what session ${session?.sessionId} received for ${ticketId}`);
  }
  if (faults.includes('extra-order')) {
    await prisma.order.create({ data: { saleId, userId: `intruder-${run.runId}`, ticketId: `${saleId}.999999`, ticketNumber: 999_999 } });
    run.notes.push('FAULT extra-order: inserted an order row for a user who never had a ticket');
  }
}
