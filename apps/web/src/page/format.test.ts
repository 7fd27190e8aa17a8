import { describePrequeue, describeWait, formatDuration, orderMessage, purchaseErrorMessage, resultMessage, saleCountdown } from './format';

const now = Date.parse('2026-01-01T10:00:00Z');
const activeSale = { startsAt: '2026-01-01T09:00:00Z', endsAt: '2026-01-01T10:05:00Z', state: 'ACTIVE' as const };
const upcomingSale = { startsAt: '2026-01-01T10:00:42Z', endsAt: '2026-01-01T11:00:00Z', state: 'UPCOMING' as const };

describe('the bank-number line', () => {
  it('tells how many people are ahead and about how long', () => {
    expect(describeWait(17, 3_000)).toBe('17 people ahead, about 3 s');
    expect(describeWait(1, 400)).toBe('1 person ahead, about 1 s');
    expect(describeWait(0, 0)).toBe('You are next, about 0 s');
    expect(describeWait(undefined, undefined)).toBe('Waiting to be called');
  });

  it('formats long waits in minutes and hours', () => {
    expect(formatDuration(125_000)).toBe('2 min 05 s');
    expect(formatDuration(3_720_000)).toBe('1 h 02 min');
  });
});

describe('sale countdown', () => {
  it('counts down to the start, then to the end', () => {
    expect(saleCountdown(upcomingSale, now)).toEqual({ phase: 'UPCOMING', label: 'Starts in 42 s' });
    expect(saleCountdown(activeSale, now)).toEqual({ phase: 'ACTIVE', label: 'Ends in 5 min 00 s' });
  });

  it('says ended once the end time passed, whatever the last polled state', () => {
    expect(saleCountdown(activeSale, Date.parse('2026-01-01T10:06:00Z')).phase).toBe('ENDED');
    expect(saleCountdown({ ...activeSale, state: 'SOLD_OUT' }, now).phase).toBe('SOLD_OUT');
  });
});

describe('purchase error messages', () => {
  it('gives the retry delay of a full queue', () => {
    expect(purchaseErrorMessage({ code: 'QUEUE_FULL', message: '', retryAfterMs: 5_000 }, activeSale, now)).toBe(
      'The queue is full right now. Try again in 5 s.',
    );
  });

  it('tells not started from ended', () => {
    expect(purchaseErrorMessage({ code: 'SALE_NOT_ACTIVE', message: '' }, upcomingSale, now)).toBe(
      'The sale has not started yet: it opens in 42 s.',
    );
    expect(purchaseErrorMessage({ code: 'SALE_NOT_ACTIVE', message: '' }, { ...activeSale, state: 'ENDED' }, now)).toBe(
      'The sale has ended.',
    );
  });

  it('says that a busy counter reserved nothing, and when to try again', () => {
    expect(purchaseErrorMessage({ code: 'SERVICE_UNAVAILABLE', message: '', retryAfterMs: 1_000 }, activeSale, now)).toBe(
      'The ticket counter is busy: nothing was reserved for you. Try again in 1 s.',
    );
  });

  it('says sold out plainly', () => {
    expect(purchaseErrorMessage({ code: 'SOLD_OUT', message: 'x' }, activeSale, now)).toMatch(/^Sold out/);
  });
});

describe('result messages', () => {
  it('names why a ticket failed', () => {
    expect(resultMessage({ status: 'SUCCEEDED' })).toBe('It is yours! Your order is placed.');
    expect(resultMessage({ status: 'FAILED', reason: 'SOLD_OUT' })).toMatch(/sold out/);
    expect(resultMessage({ status: 'CANCELLED' })).toBe('You left the queue.');
    expect(resultMessage({ status: 'FAILED', reason: 'QUEUE_UNAVAILABLE' })).toMatch(/could not take your order in time.*try again/);
  });
});

describe('the lottery and the payment', () => {
  const lottery = { ...upcomingSale, prequeueOpensAt: '2026-01-01T10:00:12Z' };
  it('counts down to the pre-queue, then to the draw', () => {
    expect(saleCountdown(lottery, now)).toEqual({ phase: 'UPCOMING', label: 'The pre-queue opens in 12 s' });
    expect(saleCountdown(lottery, now + 12_000)).toEqual({ phase: 'PREQUEUE', label: 'Pre-queue open · the order is drawn in 30 s' });
    expect(saleCountdown(lottery, now + 42_000).phase).toBe('ACTIVE');
  });

  it('tells the pre-queue how many are in it and when it is drawn', () => {
    expect(describePrequeue(7, 4_200)).toBe('7 shoppers in the pre-queue · drawn in 5 s');
    expect(describePrequeue(1, 0)).toBe('1 shopper in the pre-queue · drawing…');
  });

  it('counts the payment deadline down, then says paid or expired', () => {
    const pending = { status: 'PENDING_PAYMENT' as const, expiresAt: '2026-01-01T10:15:00Z' };
    expect(orderMessage(pending, now).deadline).toBe('Pay within 15 min 00 s');
    expect(orderMessage(pending, now + 900_000).deadline).toBe('Checking…');
    expect(orderMessage({ status: 'PAID' }, now).headline).toMatch(/^Paid/);
    expect(orderMessage({ status: 'EXPIRED' }, now).headline).toMatch(/^Expired/);
  });
});
