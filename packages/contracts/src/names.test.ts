import { formatTicketId, parseTicketId, userTicketSubject } from './names';

describe('ticket ids', () => {
  const saleId = '3f1c2d4e-0000-4000-8000-000000000001';

  it('round-trip the sale id, the ticket epoch and the ticket number', () => {
    expect(parseTicketId(formatTicketId(saleId, 42, 3))).toEqual({ saleId, epoch: 3, ticketNumber: 42 });
    expect(formatTicketId(saleId, 42)).toBe(`${saleId}.1.42`);
  });

  it('never give two epochs the same id for one number', () => {
    expect(formatTicketId(saleId, 7, 1)).not.toBe(formatTicketId(saleId, 7, 2));
  });

  it.each(['', 'nodot', '.1.5', 'sale.5', 'sale.0.1', 'sale.1.0', 'sale.1.-1', 'sale.1.5x', 'sale.abc.1', 'sale.1.2.3'])(
    'rejects %p',
    (ticketId) => {
      expect(parseTicketId(ticketId)).toBeUndefined();
    },
  );
});

describe('userTicketSubject', () => {
  it('gives each user a subject of their own', () => {
    expect(userTicketSubject('alice')).toBe('seckill.users.alice.tickets');
    expect(userTicketSubject('alice')).not.toBe(userTicketSubject('bob'));
  });
});
