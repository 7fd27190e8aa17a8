import type { TicketOutcome } from '@seckill/db';
import type { TicketRecord } from '@seckill/redis-state';
import { createTicketSnapshot } from './ticket-snapshot';

const saleId = '3f1c2d4e-0000-4000-8000-000000000001';
const inRedis: TicketRecord = { ticketId: `${saleId}.2.9`, saleId, userId: 'alice', ticketNumber: 9, epoch: 2, status: 'QUEUED', updatedAt: 20 };
const lostFromRedis: TicketOutcome = { ticketId: `${saleId}.1.3`, saleId, userId: 'alice', ticketNumber: 3, status: 'SUCCEEDED', orderId: 'order-3', decidedAt: 10 };
const logger = { warn: jest.fn() };

describe('the push snapshot', () => {
  it('adds the final tickets only PostgreSQL still knows to what Redis holds', async () => {
    const listTickets = createTicketSnapshot({
      listFromRedis: async () => [inRedis],
      listFromPostgres: async () => [lostFromRedis, { ...lostFromRedis, ticketId: inRedis.ticketId, status: 'FAILED', reason: 'SOLD_OUT' }],
      logger,
    });
    expect(await listTickets('alice')).toEqual([
      { type: 'ticket', ticketId: inRedis.ticketId, saleId, status: 'QUEUED', at: 20 },
      { type: 'ticket', ticketId: lostFromRedis.ticketId, saleId, status: 'SUCCEEDED', orderId: 'order-3', at: 10 },
    ]);
  });

  it('is Redis\'s alone when PostgreSQL does not answer', async () => {
    const listTickets = createTicketSnapshot({ listFromRedis: async () => [inRedis], listFromPostgres: () => Promise.reject(new Error('timeout')), logger });
    expect((await listTickets('alice')).map((event) => event.ticketId)).toEqual([inRedis.ticketId]);
    expect(logger.warn).toHaveBeenCalled();
  });
});
