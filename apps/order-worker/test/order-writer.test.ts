import { randomUUID } from 'node:crypto';
import type { OrderRequested } from '@seckill/contracts';
import { recordClosedTickets } from '@seckill/db';
import { createCoalescingOrderWriter, createOrderWriter } from '../src/domain/order-writer';
import { createSale, openTestServices, saleStock, type TestServices } from './helpers';

let services: TestServices;
beforeAll(async () => {
  services = await openTestServices();
});
afterAll(async () => {
  await services.close();
});

function tickets(saleId: string, numbers: number[], userOf = (n: number) => `buyer-${saleId.slice(0, 8)}-${n}`): OrderRequested[] {
  return numbers.map((n) => ({ v: 1, ticketId: `${saleId}.1.${n}`, ticketNumber: n, saleId, userId: userOf(n), requestedAt: 1 }));
}

describe('order writer (PostgreSQL)', () => {
  it('serves the lowest ticket numbers up to the stock and fails the rest SOLD_OUT', async () => {
    const saleId = await createSale(services, 3);
    const writer = createOrderWriter({ prisma: services.prisma, paymentWindowMs: 60_000 });
    const decisions = await writer.writeOrders(tickets(saleId, [5, 1, 4, 2, 3]));
    const outcome = (n: number) => decisions.get(`${saleId}.1.${n}`)?.outcome;
    expect([1, 2, 3, 4, 5].map(outcome)).toEqual(['ORDERED', 'ORDERED', 'ORDERED', 'FAILED', 'FAILED']);
    expect(decisions.get(`${saleId}.1.5`)).toMatchObject({ reason: 'SOLD_OUT' });
    expect(await saleStock(services.prisma, saleId)).toBe(0);
  });

  it('returns the existing orders to a redelivery, even after the sale sold out', async () => {
    const saleId = await createSale(services, 2);
    const writer = createOrderWriter({ prisma: services.prisma, paymentWindowMs: 60_000 });
    const batch = tickets(saleId, [1, 2, 3]);
    const first = await writer.writeOrders(batch);
    const again = await writer.writeOrders(batch);
    for (const { ticketId } of batch) {
      const { created: _created, ...before } = first.get(ticketId) as { created?: boolean };
      expect(again.get(ticketId)).toMatchObject(before);
    }
    expect(again.get(`${saleId}.1.1`)).toMatchObject({ outcome: 'ORDERED', created: false });
    expect(await services.prisma.order.count({ where: { saleId } })).toBe(2);
    expect(await saleStock(services.prisma, saleId)).toBe(0);
  });

  it('gives a second ticket of the same buyer ALREADY_ORDERED and its stock to the next ticket', async () => {
    const saleId = await createSale(services, 2);
    const writer = createOrderWriter({ prisma: services.prisma, paymentWindowMs: 60_000 });
    await writer.writeOrders(tickets(saleId, [1], () => 'same-buyer'));
    const decisions = await writer.writeOrders([...tickets(saleId, [2], () => 'same-buyer'), ...tickets(saleId, [3])]);
    expect(decisions.get(`${saleId}.1.2`)).toMatchObject({ outcome: 'FAILED', reason: 'ALREADY_ORDERED' });
    expect(decisions.get(`${saleId}.1.3`)).toMatchObject({ outcome: 'ORDERED', created: true });
    expect(await saleStock(services.prisma, saleId)).toBe(0);
  });

  it('reports tickets of an unknown sale and still writes the others', async () => {
    const saleId = await createSale(services, 5);
    const ghostSaleId = randomUUID();
    const writer = createOrderWriter({ prisma: services.prisma, paymentWindowMs: 60_000 });
    const decisions = await writer.writeOrders([...tickets(ghostSaleId, [1]), ...tickets(saleId, [1])]);
    expect(decisions.get(`${ghostSaleId}.1.1`)).toMatchObject({ outcome: 'FAILED', reason: 'SALE_NOT_FOUND' });
    expect(decisions.get(`${saleId}.1.1`)).toMatchObject({ outcome: 'ORDERED' });
  });

  it('merges concurrent batches into shared transactions without mixing up their answers', async () => {
    const saleId = await createSale(services, 10);
    const writer = createCoalescingOrderWriter(createOrderWriter({ prisma: services.prisma, paymentWindowMs: 60_000 }));
    const batches = [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
      [10, 11, 12],
    ].map((numbers) => tickets(saleId, numbers));
    const answers = await Promise.all(batches.map((batch) => writer.writeOrders(batch)));
    answers.forEach((decisions, index) => {
      for (const { ticketId } of batches[index]!) expect(decisions.get(ticketId)).toBeDefined();
    });
    const ordered = answers.flatMap((decisions, index) => batches[index]!.filter((t) => decisions.get(t.ticketId)?.outcome === 'ORDERED'));
    expect(ordered.map((t) => t.ticketNumber).sort((a, b) => a - b)).toHaveLength(10);
    expect(await saleStock(services.prisma, saleId)).toBe(0);
  });

  it('never orders a ticket PostgreSQL closed, and closes every ticket that fails', async () => {
    const saleId = await createSale(services, 5);
    const writer = createOrderWriter({ prisma: services.prisma, paymentWindowMs: 60_000 });
    const [cancelled, kept, again] = tickets(saleId, [1, 2, 3], (n) =>
      n === 3 ? `buyer-${saleId.slice(0, 8)}-2` : `buyer-${saleId.slice(0, 8)}-${n}`,
    );
    await recordClosedTickets(services.prisma, [{ ...cancelled!, status: 'CANCELLED' }]);
    const decisions = await writer.writeOrders([cancelled!, kept!, again!]);
    expect(decisions.get(cancelled!.ticketId)).toEqual({ ticketId: cancelled!.ticketId, outcome: 'CLOSED', status: 'CANCELLED' });
    expect(decisions.get(again!.ticketId)).toMatchObject({ outcome: 'FAILED', reason: 'ALREADY_ORDERED' });
    expect((await services.prisma.order.findMany({ where: { saleId } })).map((order) => order.ticketId)).toEqual([kept!.ticketId]);
    expect(await services.prisma.closedTicket.findUnique({ where: { ticketId: again!.ticketId } })).toMatchObject({
      status: 'FAILED',
      reason: 'ALREADY_ORDERED',
    });
    expect(await saleStock(services.prisma, saleId)).toBe(4);
  });

  it("stamps each order with the sale's ticket epoch when it took its stock", async () => {
    const saleId = await createSale(services, 5);
    await services.prisma.sale.update({ where: { id: saleId }, data: { ticketEpoch: 4 } });
    const writer = createOrderWriter({ prisma: services.prisma, paymentWindowMs: 60_000 });
    const [ticket] = tickets(saleId, [1]);
    expect((await writer.writeOrders([ticket!])).get(ticket!.ticketId)).toMatchObject({ outcome: 'ORDERED', created: true, stockEpoch: 4 });
    await services.prisma.sale.update({ where: { id: saleId }, data: { ticketEpoch: 5 } });
    expect((await writer.writeOrders([ticket!])).get(ticket!.ticketId)).toMatchObject({
      outcome: 'ORDERED',
      created: false,
      stockEpoch: 4,
    });
  });

  it('fails a rejected ticket REJECTED unless it was ordered before', async () => {
    const saleId = await createSale(services, 5);
    const writer = createOrderWriter({ prisma: services.prisma, paymentWindowMs: 60_000 });
    const [ordered, broken] = tickets(saleId, [1, 2]);
    await writer.writeOrders([ordered!]);
    const decisions = await writer.writeOrders([], [ordered!, broken!]);
    expect(decisions.get(ordered!.ticketId)).toMatchObject({ outcome: 'ORDERED', created: false });
    expect(decisions.get(broken!.ticketId)).toEqual({ ticketId: broken!.ticketId, outcome: 'FAILED', reason: 'REJECTED' });
    expect(await saleStock(services.prisma, saleId)).toBe(4);
  });
});
