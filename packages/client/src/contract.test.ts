import {
  errorCodes,
  isRetriablePushClose as contractIsRetriablePushClose,
  orderEventSchema,
  orderViewSchema,
  prequeueReceiptSchema,
  purchaseChallengeSchema,
  pushCloseCodes,
  saleViewSchema,
  ticketEventSchema,
  ticketReceiptSchema,
  ticketViewSchema,
  type ErrorCode,
} from '@seckill/contracts';
import {
  asOrderEvent,
  asOrderView,
  asPrequeueReceipt,
  asPurchaseChallenge,
  asSaleView,
  asTicketEvent,
  asTicketReceipt,
  asTicketView,
  isErrorCode,
  isRetriablePushClose,
  isRetriableErrorCode,
  PUSH_CLOSE,
} from './contract';
import { exampleSale as sale, exampleSaleId as saleId } from './testing/examples';

// The SDK checks bodies without zod (to stay small in the browser): these keep its
// guards and tables in step with the contract's schemas and constants.
const ticket = { ticketId: `${saleId}.1.7`, saleId, ticketNumber: 7, status: 'QUEUED', position: 3, estimatedWaitMs: 900 };
const event = { type: 'ticket', ticketId: ticket.ticketId, saleId, status: 'SUCCEEDED', orderId: 'o-1', at: 5 };
const order = { type: 'order', orderId: 'o-1', ticketId: ticket.ticketId, saleId, status: 'PAID', at: 9 };

const variants = (base: Record<string, unknown>, patches: Array<Record<string, unknown>>) =>
  [base, ...patches.map((patch) => ({ ...base, ...patch }))].concat([null, 'text', [base]] as never[]);

const cases = [
  {
    name: 'ticket view',
    guard: asTicketView,
    schema: ticketViewSchema,
    values: variants(ticket, [
      { status: 'SUCCEEDED', position: undefined, estimatedWaitMs: undefined, orderId: 'o-1' },
      { status: 'DONE' },
      { ticketNumber: 0 },
      { ticketNumber: 1.5 },
      { position: -1 },
      { orderId: 5 },
      { saleId: undefined },
    ]),
  },
  {
    name: 'ticket receipt',
    guard: asTicketReceipt,
    schema: ticketReceiptSchema,
    values: variants(ticket, [{ status: 'SUCCEEDED' }, { position: undefined }, { estimatedWaitMs: undefined }, { estimatedWaitMs: -5 }]),
  },
  {
    name: 'sale view',
    guard: asSaleView,
    schema: saleViewSchema,
    values: variants(sale, [
      { state: 'OPEN' },
      { remainingStock: '4' },
      { queueDepth: 1.5 },
      { name: undefined },
      { state: 'SOLD_OUT' },
      { state: 'PREQUEUE', prequeueOpensAt: '2026-01-01T09:00:00Z', prequeueSize: 3 },
      { prequeueOpensAt: 5 },
      { challengeDifficulty: undefined },
    ]),
  },
  {
    name: 'pre-queue receipt',
    guard: asPrequeueReceipt,
    schema: prequeueReceiptSchema,
    values: variants({ saleId, status: 'PREQUEUED', drawsAt: '2026-01-01T10:00:00Z', drawsInMs: 500, prequeueSize: 3 }, [
      { status: 'QUEUED' },
      { drawsInMs: -1 },
      { prequeueSize: undefined },
      { drawsAt: 5 },
    ]),
  },
  {
    name: 'purchase challenge',
    guard: asPurchaseChallenge,
    schema: purchaseChallengeSchema,
    values: variants({ challenge: 'v1.x', difficulty: 16, expiresAt: '2026-01-01T10:00:00Z' }, [
      { difficulty: 0 },
      { challenge: 5 },
      { expiresAt: undefined },
    ]),
  },
  {
    name: 'order view',
    guard: asOrderView,
    schema: orderViewSchema,
    values: variants({ orderId: 'o-1', saleId, ticketId: ticket.ticketId, status: 'PENDING_PAYMENT', expiresAt: '2026-01-01T10:15:00Z' }, [
      { status: 'PAID', paidAt: 'x' },
      { status: 'SHIPPED' },
      { expiresAt: 5 },
      { ticketId: undefined },
    ]),
  },
  {
    name: 'ticket event',
    guard: asTicketEvent,
    schema: ticketEventSchema,
    values: variants(event, [
      { type: 'order' },
      { at: undefined },
      { at: -1 },
      { status: 'PAID' },
      { reason: 'SOLD_OUT', status: 'FAILED' },
    ]),
  },
  {
    name: 'order event',
    guard: asOrderEvent,
    schema: orderEventSchema,
    values: variants(order, [{ status: 'SHIPPED' }, { status: 'EXPIRED' }, { ticketId: undefined }, { at: 'now' }, { type: 'ticket' }]),
  },
];

describe.each(cases)('the $name guard', ({ guard, schema, values }) => {
  it.each(values.map((value, index) => [index, value] as const))('agrees with the contract schema on sample %d', (_index, value) => {
    expect(guard(value) !== undefined).toBe(schema.safeParse(value).success);
  });
});

describe('contract tables', () => {
  it('knows every error code and whether it is retriable, as the contract says', () => {
    for (const [code, { retriable }] of Object.entries(errorCodes)) {
      expect(isErrorCode(code)).toBe(true);
      expect([code, isRetriableErrorCode(code as ErrorCode)]).toEqual([code, retriable]);
    }
    expect(isErrorCode('NOPE')).toBe(false);
  });

  it('has the push close codes and their retry rule of the contract', () => {
    expect(PUSH_CLOSE).toEqual(pushCloseCodes);
    for (const code of [1000, 1006, 1009, 1011, 1012, 4000, 4001, 4002, 4003, 4008, 4009, 4010]) {
      expect([code, isRetriablePushClose(code)]).toEqual([code, contractIsRetriablePushClose(code)]);
    }
  });
});
