import { orderRequestedSchema, parseTicketId, toTicketEvent, type OrderRequested, type TicketEvent } from '@seckill/contracts';
import type { Logger, TicketResult, TicketStore } from '@seckill/platform';
import type { WorkerMetrics } from '../metrics';
import type { DeadLetter, DeadLetterPublisher } from './dead-letter';
import type { OrderDecision, OrderWriter } from './order-writer';
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
  ticketStore: TicketStore;
  userEvents: UserEventPublisher;
  deadLetters: DeadLetterPublisher;
  metrics: WorkerMetrics;
  throughput: ThroughputMeter;
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
 * One Kafka batch, start to finish: validate, claim tickets in Redis, write orders in one
 * PostgreSQL transaction, dead-letter poison, record each final state in Redis, publish one
 * event per ticket. Resolves when all of that is durable; only then may the offsets move.
 * Any throw leaves the offsets where they were, so Kafka redelivers the whole batch.
 */
export function createBatchProcessor(options: BatchProcessorOptions) {
  const { orderWriter, ticketStore, userEvents, deadLetters, metrics, throughput, logger } = options;
  const clock = options.clock ?? Date.now;
  const heartbeat = options.heartbeat ?? (async () => {});

  /** Claiming makes the gateway refuse a cancel from now on; a CANCELLED ticket won before us. */
  async function claimTickets(orders: ReadonlyMap<string, OrderRequested>) {
    const claims = await ticketStore.claim([...orders.keys()]);
    const toWrite: OrderRequested[] = [];
    const alreadyFinal: OrderRequested[] = [];
    let cancelled = 0;
    for (const [ticketId, order] of orders) {
      const claim = claims.get(ticketId);
      if (claim === 'CANCELLED') cancelled += 1;
      else if (claim === 'SUCCEEDED' || claim === 'FAILED') alreadyFinal.push(order);
      // CLAIMED, or MISSING: the message is the truth of an admitted purchase.
      else toWrite.push(order);
    }
    return { toWrite, alreadyFinal, cancelled };
  }

  /** Events for tickets a previous delivery finished: their recorded result, unchanged. */
  async function recordedEvents(alreadyFinal: readonly OrderRequested[]) {
    const records = await Promise.all(alreadyFinal.map((order) => ticketStore.get(order.ticketId)));
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

    const { orders, messageByTicket, letters } = parseBatch(messages);
    const { toWrite, alreadyFinal, cancelled } = await claimTickets(orders);
    phases.done('claimMs');
    await batchHeartbeat();

    const decisions = await orderWriter.writeOrders(toWrite);
    if (toWrite.length > 0) options.afterDatabaseCommit?.();
    phases.done('databaseMs');
    await batchHeartbeat();

    const at = clock();
    const results = toWrite.map((order) => {
      const decision = decisions.get(order.ticketId);
      if (!decision) throw new Error(`no decision for ticket ${order.ticketId}`);
      const message = messageByTicket.get(order.ticketId);
      if (decision.outcome === 'SALE_NOT_FOUND' && message) {
        letters.push({ ...message, reason: 'SALE_NOT_FOUND: no such sale in the database' });
      }
      return toResult(order, decision, at);
    });
    // Before any result is visible: a dead letter lost now would be a message lost for good.
    await deadLetters.publish(letters);
    phases.done('deadLetterMs');

    await ticketStore.recordResults(results);
    phases.done('recordMs');
    const events: { userId: string; event: TicketEvent }[] = [
      ...results.map((result) => ({ userId: result.userId, event: toTicketEvent(result, result.at) })),
      ...(await recordedEvents(alreadyFinal)),
    ];
    await userEvents.publish(events);
    phases.done('publishMs');

    for (const result of results) metrics.orders.inc({ outcome: outcomeLabel(result) });
    if (cancelled) metrics.orders.inc({ outcome: 'cancelled' }, cancelled);
    if (alreadyFinal.length) metrics.orders.inc({ outcome: 'republished' }, alreadyFinal.length);
    if (letters.length) metrics.orders.inc({ outcome: 'dead_lettered' }, letters.length);
    throughput.record(results.length);
    logger.debug({ messages: messages.length, ...phases.all }, 'batch done');
    if (letters.length) logger.warn({ deadLettered: letters.length, reasons: [...new Set(letters.map((l) => l.reason))] }, 'dead-lettered poison messages');
  };
}

/** Valid orders by ticket id (a ticket produced twice is one), and the poison with its reason. */
function parseBatch(messages: readonly IncomingMessage[]) {
  const letters: DeadLetter[] = [];
  const orders = new Map<string, OrderRequested>();
  const messageByTicket = new Map<string, IncomingMessage>();
  for (const message of messages) {
    const parsed = parseOrderMessage(message.value);
    if (!parsed.ok) {
      letters.push({ ...message, reason: parsed.reason });
      continue;
    }
    orders.set(parsed.order.ticketId, parsed.order);
    messageByTicket.set(parsed.order.ticketId, message);
  }
  return { orders, messageByTicket, letters };
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

function toResult(order: OrderRequested, decision: OrderDecision, at: number): TicketResult {
  const base = { ticketId: order.ticketId, saleId: order.saleId, userId: order.userId, at };
  switch (decision.outcome) {
    case 'ORDERED':
      return { ...base, status: 'SUCCEEDED', orderId: decision.orderId };
    case 'FAILED':
      return { ...base, status: 'FAILED', reason: decision.reason };
    case 'SALE_NOT_FOUND':
      return { ...base, status: 'FAILED', reason: 'SALE_NOT_FOUND' };
  }
}

function outcomeLabel(result: TicketResult) {
  if (result.status === 'SUCCEEDED') return 'succeeded' as const;
  if (result.reason === 'SOLD_OUT') return 'sold_out' as const;
  if (result.reason === 'SALE_NOT_FOUND') return 'sale_not_found' as const;
  return 'already_ordered' as const;
}
