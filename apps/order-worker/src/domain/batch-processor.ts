import { orderRequestedSchema, parseTicketId, toTicketEvent, userIdSchema, type OrderRequested, type TicketEvent } from '@seckill/contracts';
import type { Logger } from '@seckill/platform';
import type { ActivityRecorder, RedisState, TicketResult } from '@seckill/redis-state';
import type { WorkerMetrics } from '../metrics';
import type { DeadLetter, DeadLetterPublisher } from './dead-letter';
import type { OrderDecision, OrderWriter, RejectedTicket } from './order-writer';
import type { ThroughputMeter } from './throughput-meter';
import type { UserEventPublisher } from './user-events';

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

export interface BatchProcessorOptions {
  orderWriter: OrderWriter;
  redisState: Pick<RedisState, 'claimTickets' | 'getTicket' | 'recordResults'>;
  userEvents: UserEventPublisher;
  deadLetters: DeadLetterPublisher;
  metrics: WorkerMetrics;
  throughput: ThroughputMeter;
  /** Per-sale counts for the admin statistics (`ordered`, `failed:<reason>`). */
  activity?: Pick<ActivityRecorder, 'count'>;
  logger: Logger;
  clock?: () => number;
  /** Called between the steps that take time, so the consumer keeps its partitions. */
  heartbeat?: () => Promise<void>;
  /** Test hook: runs right after the database commit, before any result leaves the process. */
  afterDatabaseCommit?: () => void;
}

type Parsed = { ok: true; order: OrderRequested } | { ok: false; reason: string };

/** Validate one Kafka message; anything that is not a well-formed admitted purchase is poison. */
export function parseOrderMessage(value: Buffer | null): Parsed {
  if (!value) return { ok: false, reason: 'empty message' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const result = orderRequestedSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, reason: `invalid order: ${issue ? `${issue.path.join('.') || '(root)'} ${issue.message}` : 'schema'}` };
  }
  const ticket = parseTicketId(result.data.ticketId);
  if (!ticket || ticket.saleId !== result.data.saleId || ticket.ticketNumber !== result.data.ticketNumber) {
    return { ok: false, reason: 'invalid order: ticketId does not match saleId and ticketNumber' };
  }
  return { ok: true, order: result.data };
}

/**
 * The ticket a message names, even when the message is not a valid order (a newer gateway's
 * version, a corrupted field): its shopper must still hear that it failed.
 */
export function ticketNamedBy(value: Buffer | null): RejectedTicket | undefined {
  let json: unknown;
  try {
    json = value ? JSON.parse(value.toString('utf8')) : undefined;
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object') return undefined;
  const { ticketId, userId } = json as { ticketId?: unknown; userId?: unknown };
  const ticket = typeof ticketId === 'string' ? parseTicketId(ticketId) : undefined;
  if (!ticket || !userIdSchema.safeParse(userId).success) return undefined;
  return { ticketId: ticketId as string, ticketNumber: ticket.ticketNumber, saleId: ticket.saleId, userId: userId as string };
}

/**
 * One Kafka batch, start to finish: validate, claim tickets in Redis, write orders in one
 * PostgreSQL transaction, dead-letter poison, record each final state in Redis, publish one
 * event per ticket. Resolves when all of that is durable; only then may the offsets move.
 * Any throw leaves the offsets where they were, so Kafka redelivers the whole batch.
 */
export function createBatchProcessor(options: BatchProcessorOptions) {
  const { orderWriter, redisState, userEvents, deadLetters, metrics, throughput, logger } = options;
  const clock = options.clock ?? Date.now;
  const heartbeat = options.heartbeat ?? (async () => {});

  /**
   * Claiming makes a cancel or the outbox reaper lose from now on; a ticket already CANCELLED or
   * FAILED won before us. MISSING (Redis lost it): PostgreSQL decides, in the order writer.
   */
  async function claimTickets(orders: ReadonlyMap<string, OrderRequested>, rejected: readonly RejectedTicket[]) {
    const claims = await redisState.claimTickets([...orders.keys(), ...rejected.map((ticket) => ticket.ticketId)]);
    const isOpen = (ticketId: string) => claims.get(ticketId) === 'CLAIMED' || claims.get(ticketId) === 'MISSING';
    const toWrite = [...orders.values()].filter((order) => isOpen(order.ticketId));
    const alreadyFinal = [...orders.values()].filter((order) => claims.get(order.ticketId) === 'SUCCEEDED' || claims.get(order.ticketId) === 'FAILED');
    const cancelled = [...orders.keys()].filter((ticketId) => claims.get(ticketId) === 'CANCELLED').length;
    const unknownToRedis = new Set([...claims].flatMap(([ticketId, claim]) => (claim === 'MISSING' ? [ticketId] : [])));
    return { toWrite, toReject: rejected.filter((ticket) => isOpen(ticket.ticketId)), alreadyFinal, cancelled, unknownToRedis };
  }

  /** Events for tickets a previous delivery finished: their recorded result, unchanged. */
  async function recordedEvents(alreadyFinal: readonly OrderRequested[]) {
    const records = await Promise.all(alreadyFinal.map((order) => redisState.getTicket(order.ticketId)));
    return records.flatMap((record) =>
      record && record.status !== 'QUEUED' && record.status !== 'CANCELLED'
        ? [{ userId: record.userId, event: toTicketEvent(record, record.updatedAt) }]
        : [],
    );
  }

  return async function processBatch(messages: readonly IncomingMessage[], batchHeartbeat = heartbeat): Promise<void> {
    if (messages.length === 0) return;
    metrics.batchSize.observe(messages.length);
    const phases = phaseTimer();

    const { orders, messageByTicket, letters, rejected } = parseBatch(messages);
    const { toWrite, toReject, alreadyFinal, cancelled, unknownToRedis } = await claimTickets(orders, rejected);
    phases.done('claimMs');
    await batchHeartbeat();

    const decisions = await orderWriter.writeOrders(toWrite, toReject, unknownToRedis);
    if (toWrite.length > 0) options.afterDatabaseCommit?.();
    phases.done('databaseMs');
    await batchHeartbeat();

    const at = clock();
    const results = [...toWrite, ...toReject].map((ticket) => {
      const decision = decisions.get(ticket.ticketId);
      if (!decision) throw new Error(`no decision for ticket ${ticket.ticketId}`);
      const message = messageByTicket.get(ticket.ticketId);
      if (decision.outcome === 'FAILED' && decision.reason === 'SALE_NOT_FOUND' && message) {
        letters.push({ ...message, reason: 'SALE_NOT_FOUND: no such sale in the database' });
      }
      return toResult(ticket, decision, at);
    });
    // Before any result is visible: a dead letter lost now would be a message lost for good.
    await deadLetters.publish(letters);
    phases.done('deadLetterMs');

    await redisState.recordResults(results);
    phases.done('recordMs');
    const events: { userId: string; event: TicketEvent }[] = [
      ...results.map((result) => ({ userId: result.userId, event: toTicketEvent(result, result.at) })),
      ...(await recordedEvents(alreadyFinal)),
    ];
    await userEvents.publish(events);
    phases.done('publishMs');

    for (const result of results) {
      metrics.orders.inc({ outcome: outcomeLabel(result) });
      options.activity?.count(result.saleId, result.status === 'SUCCEEDED' ? 'ordered' : `failed:${result.reason ?? result.status}`);
    }
    if (cancelled) metrics.orders.inc({ outcome: 'cancelled' }, cancelled);
    if (alreadyFinal.length) metrics.orders.inc({ outcome: 'republished' }, alreadyFinal.length);
    if (letters.length) metrics.orders.inc({ outcome: 'dead_lettered' }, letters.length);
    throughput.record(results.length);
    logger.debug({ messages: messages.length, ...phases.all }, 'batch done');
    if (letters.length) logger.warn({ deadLettered: letters.length, reasons: [...new Set(letters.map((l) => l.reason))] }, 'dead-lettered poison messages');
  };
}

/**
 * Valid orders by ticket id (a ticket produced twice is one), the poison with its reason, and the
 * tickets poison names (they fail REJECTED instead of staying queued forever).
 */
function parseBatch(messages: readonly IncomingMessage[]) {
  const letters: DeadLetter[] = [];
  const orders = new Map<string, OrderRequested>();
  const messageByTicket = new Map<string, IncomingMessage>();
  const rejected = new Map<string, RejectedTicket>();
  for (const message of messages) {
    const parsed = parseOrderMessage(message.value);
    if (!parsed.ok) {
      letters.push({ ...message, reason: parsed.reason });
      const named = ticketNamedBy(message.value);
      if (named) rejected.set(named.ticketId, named);
      continue;
    }
    orders.set(parsed.order.ticketId, parsed.order);
    messageByTicket.set(parsed.order.ticketId, message);
  }
  // A valid copy of the same ticket in the batch wins over a broken one.
  for (const ticketId of orders.keys()) rejected.delete(ticketId);
  return { orders, messageByTicket, letters, rejected: [...rejected.values()] };
}

/** Milliseconds per step of a batch, for the debug log. */
function phaseTimer() {
  const all: Record<string, number> = {};
  let start = performance.now();
  return {
    all,
    done(name: string) {
      const now = performance.now();
      all[name] = Math.round((now - start) * 10) / 10;
      start = now;
    },
  };
}
export type ProcessBatch = ReturnType<typeof createBatchProcessor>;

function toResult(ticket: RejectedTicket, decision: OrderDecision, at: number): TicketResult {
  const base = { ticketId: ticket.ticketId, saleId: ticket.saleId, userId: ticket.userId, at };
  switch (decision.outcome) {
    case 'ORDERED':
      return { ...base, status: 'SUCCEEDED', orderId: decision.orderId, stockEpoch: decision.stockEpoch };
    case 'FAILED':
      return { ...base, status: 'FAILED', reason: decision.reason };
    case 'CLOSED':
      return { ...base, status: decision.status, ...(decision.reason ? { reason: decision.reason } : {}) };
  }
}

function outcomeLabel(result: TicketResult) {
  if (result.status === 'SUCCEEDED') return 'succeeded' as const;
  if (result.status === 'CANCELLED') return 'cancelled' as const;
  switch (result.reason) {
    case 'SOLD_OUT':
      return 'sold_out' as const;
    case 'SALE_NOT_FOUND':
      return 'sale_not_found' as const;
    case 'ALREADY_ORDERED':
      return 'already_ordered' as const;
    case 'REJECTED':
      return 'rejected' as const;
    default:
      return 'closed_before' as const;
  }
}
