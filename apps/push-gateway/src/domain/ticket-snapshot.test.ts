import type { TicketOutcome } from '@seckill/db';
import { createLostTicketLookup } from './ticket-snapshot';

const saleId = '3f1c2d4e-0000-4000-8000-000000000001';
const lostFromRedis: TicketOutcome = {
  ticketId: `${saleId}.1.3`,
  saleId,
  userId: 'alice',
  ticketNumber: 3,
  status: 'SUCCEEDED',
  orderId: 'order-3',
  decidedAt: 10,
};
const logger = { debug: jest.fn() };

describe('the lost part of the push snapshot', () => {
  it('is the final tickets only PostgreSQL still knows, not those Redis sent', async () => {
    const inRedis = `${saleId}.2.9`;
    const listLostTickets = createLostTicketLookup({
      listFromPostgres: async () => [lostFromRedis, { ...lostFromRedis, ticketId: inRedis, status: 'FAILED', reason: 'SOLD_OUT' }],
      logger,
    });
    expect(await listLostTickets('alice', new Set([inRedis]))).toEqual([
      { type: 'ticket', ticketId: lostFromRedis.ticketId, saleId, status: 'SUCCEEDED', orderId: 'order-3', at: 10 },
    ]);
  });

  it('is empty when PostgreSQL does not answer', async () => {
    const listLostTickets = createLostTicketLookup({ listFromPostgres: () => Promise.reject(new Error('timeout')), logger });
    expect(await listLostTickets('alice', new Set())).toEqual([]);
    expect(logger.debug).toHaveBeenCalled();
  });
});
