import { parseOrderMessage, ticketNamedBy } from './batch-processor';

const saleId = '3f1c2d4e-0000-4000-8000-000000000001';
const valid = { v: 1, ticketId: `${saleId}.1.7`, ticketNumber: 7, saleId, userId: 'alice', requestedAt: 1 };
const encode = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('parseOrderMessage', () => {
  it('accepts a well-formed admitted purchase', () => {
    expect(parseOrderMessage(encode(valid))).toEqual({ ok: true, order: valid });
  });

  it.each([
    ['an empty message', null, 'empty message'],
    ['text that is not JSON', Buffer.from('{oops'), 'not JSON'],
    ['a missing field', encode({ ...valid, userId: undefined }), 'invalid order: userId'],
    ['a user id unsafe in a NATS subject', encode({ ...valid, userId: 'a.b' }), 'invalid order: userId'],
    ['a ticket id of another sale', encode({ ...valid, ticketId: `${saleId.replace('1', '2')}.1.7` }), 'does not match'],
    ['a ticket id with another number', encode({ ...valid, ticketId: `${saleId}.1.8` }), 'does not match'],
  ])('rejects %s with a reason', (_what, value, reason) => {
    const parsed = parseOrderMessage(value);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toContain(reason);
  });
});

describe('ticketNamedBy', () => {
  it('finds the ticket a message names even when it is no valid order', () => {
    expect(ticketNamedBy(encode({ ...valid, v: 2, requestedAt: 'later' }))).toEqual({
      ticketId: valid.ticketId,
      ticketNumber: 7,
      saleId,
      userId: 'alice',
    });
  });

  it.each([
    ['no JSON', Buffer.from('{oops')],
    ['no ticket id', encode({ ...valid, ticketId: undefined })],
    ['a malformed ticket id', encode({ ...valid, ticketId: 'x.y' })],
    ['an unsafe user id', encode({ ...valid, userId: 'a.*' })],
  ])('names nothing for %s', (_what, value) => {
    expect(ticketNamedBy(value)).toBeUndefined();
  });
});
