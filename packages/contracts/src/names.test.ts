import { formatTicketId, parseTicketId, redisKeys, userTicketSubject } from './names';

describe('ticket ids', () => {
  it('round-trip the sale id and the ticket number', () => {
    const saleId = '3f1c2d4e-0000-4000-8000-000000000001';
    expect(parseTicketId(formatTicketId(saleId, 42))).toEqual({ saleId, ticketNumber: 42 });
  });

  it.each(['', 'nodot', '.5', 'sale.0', 'sale.-1', 'sale.1.5x', 'sale.abc'])('rejects %p', (ticketId) => {
    expect(parseTicketId(ticketId)).toBeUndefined();
  });
});

describe('redis keys', () => {
  it('put every key of one sale in the same hash slot', () => {
    const tag = redisKeys.saleTag('s1');
    for (const key of [
      redisKeys.saleInfo('s1'),
      redisKeys.stockTokens('s1'),
      redisKeys.ticketSequence('s1'),
      redisKeys.queuedTickets('s1'),
      redisKeys.ticketsByUser('s1'),
      redisKeys.ticket('s1', 's1.1'),
    ]) {
      expect(key.startsWith(tag)).toBe(true);
    }
  });
});

describe('userTicketSubject', () => {
  it('gives each user a subject of their own', () => {
    expect(userTicketSubject('alice')).toBe('seckill.users.alice.tickets');
    expect(userTicketSubject('alice')).not.toBe(userTicketSubject('bob'));
  });
});
