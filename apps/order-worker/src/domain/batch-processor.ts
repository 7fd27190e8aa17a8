import {
  orderRequestedSchema,
  parseTicketId,
  toTicketEvent,
  userIdSchema,
  type OrderRequested,
  type TicketEvent,
} from '@seckill/contracts';
import {
  contextFromHeaders,
  contextWithSpan,
  endSpan,
  ROOT_CONTEXT,
  SpanKind,
  startSpan,
  withSpan,
  type Context,
  type Logger,
  type Span,
} from '@seckill/platform';
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
  /** The producer's trace context travels here (`traceparent`). */
  headers?: Record<string, unknown>;
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
    const alreadyFinal = [...orders.values()].filter(
      (order) => claims.get(order.ticketId) === 'SUCCEEDED' || claims.get(order.ticketId) === 'FAILED',
    );
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

  async function processParsed(
    messageCount: number,
    phases: ReturnType<typeof phaseTimer>,
    { orders, messageByTicket, letters, rejected }: ReturnType<typeof parseBatch>,
    traces: BatchTraces,
    batchHeartbeat: () => Promise<void>,
  ): Promise<void> {
    const { toWrite, toReject, alreadyFinal, cancelled, unknownToRedis } = await claimTickets(orders, rejected);
    phases.done('claimMs');
    await batchHeartbeat();

    const writtenAt = Date.now();
    const decisions = await withSpan(traces.batch, () => orderWriter.writeOrders(toWrite, toReject, unknownToRedis));
    traces.databaseWrite(writtenAt, Date.now(), toWrite.length);
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
    const events: { userId: string; event: TicketEvent; trace?: Context }[] = [
      ...results.map((result) => ({
        userId: result.userId,
        event: toTicketEvent(result, result.at),
        ...traces.contextOf(result.ticketId),
      })),
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
    logger.debug({ messages: messageCount, ...phases.all }, 'batch done');
    if (letters.length)
      logger.warn({ deadLettered: letters.length, reasons: [...new Set(letters.map((l) => l.reason))] }, 'dead-lettered poison messages');
  }

  return async function processBatch(messages: readonly IncomingMessage[], batchHeartbeat = heartbeat): Promise<void> {
    if (messages.length === 0) return;
    metrics.batchSize.observe(messages.length);
    const phases = phaseTimer();

    const { orders, messageByTicket, letters, rejected } = parseBatch(messages);
    const traces = traceTickets(messageByTicket);
    try {
      await processParsed(messages.length, phases, { orders, messageByTicket, letters, rejected }, traces, batchHeartbeat);
      traces.end();
    } catch (error) {
      traces.end(error);
      throw error;
    }
  };
}

interface BatchTraces {
  /** The batch's own span (linked to each message's trace): PostgreSQL's spans are its children. */
  batch: Span | undefined;
  /** The batch's database transaction, as a span in each ticket's trace. */
  databaseWrite(startMs: number, endMs: number, orders: number): void;
  /** The parent of a ticket's result event (`trace`), when its message carried a trace. */
  contextOf(ticketId: string): { trace?: Context };
  end(error?: unknown): void;
}

/**
 * One purchase is one trace: each message that carried a trace context gets a `process` span in
 * it, from the batch's start to its result's publish. A batch serves many purchases at once, so
 * its own work (one transaction) is a span of its own, linked to theirs.
 */
function traceTickets(messageByTicket: ReadonlyMap<string, IncomingMessage>): BatchTraces {
  const processing = new Map<string, Span>();
  for (const [ticketId, message] of messageByTicket) {
    const span = message.headers?.traceparent
      ? startSpan(`${message.topic} process`, {
          kind: SpanKind.CONSUMER,
          parent: contextFromHeaders(message.headers),
          attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': message.topic, 'seckill.ticket_id': ticketId },
        })
      : undefined;
    if (span) processing.set(ticketId, span);
  }
  const batch =
    processing.size > 0
      ? startSpan('order batch', {
          parent: ROOT_CONTEXT,
          attributes: { 'seckill.batch.messages': messageByTicket.size },
          links: [...processing.values()].map((span) => ({ context: span.spanContext() })),
        })
      : undefined;
  return {
    batch,
    databaseWrite(startMs, endMs, orders) {
      for (const span of processing.values()) {
        const write = startSpan('postgres write orders', {
          parent: contextWithSpan(span),
          startTime: startMs,
          attributes: { 'db.system.name': 'postgresql', 'seckill.batch.orders': orders },
          ...(batch ? { links: [{ context: batch.spanContext() }] } : {}),
        });
        endSpan(write, undefined, endMs);
      }
    },
    contextOf(ticketId) {
      const span = processing.get(ticketId);
      return span ? { trace: contextWithSpan(span) } : {};
    },
    end(error) {
      for (const span of processing.values()) endSpan(span, error);
      endSpan(batch, error);
    },
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
