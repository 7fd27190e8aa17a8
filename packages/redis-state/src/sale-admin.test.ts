import { randomUUID } from 'node:crypto';
import { redisKeys } from './keys';
import { redisStateSuite } from './redis-suite';

describe('sale administration in Redis (real Redis)', () => {
  // KEYS per sale: this suite's sales are few.
  const suite = redisStateSuite((redis, saleId) => redis.keys(`${redisKeys.saleTag(saleId)}*`));

  async function sale(startsInMs: number, durationMs = 60_000) {
    const id = randomUUID();
    suite.saleIds.push(id);
    const startsAtMs = Date.now() + startsInMs;
    await suite.state.loadSale({
      id,
      name: 'phones',
      stock: 5,
      initialStock: 5,
      queueCapacity: 5,
      startsAtMs,
      endsAtMs: startsAtMs + durationMs,
      epoch: 1,
      ticketNumberFloor: 0,
    });
    return id;
  }
  const newUser = () => `u-${randomUUID().slice(0, 8)}`;
  const admit = (saleId: string, { nowMs = Date.now(), userId = newUser() } = {}) =>
    suite.state.admitTicket({ saleId, userId, nowMs, deadlineMs: Date.now() + 5_000, relayAfterMs: 1_000 });

  describe('updateUpcomingSale', () => {
    it('changes stock, capacity, name and window of a sale that has not started', async () => {
      const saleId = await sale(600_000);
      const startsAtMs = Date.now() + 300_000;
      expect(
        await suite.state.updateUpcomingSale(
          saleId,
          { stock: 9, queueCapacity: 3, name: 'tablets', startsAtMs, endsAtMs: startsAtMs + 1_000 },
          5_000,
        ),
      ).toBe('OK');
      expect(await suite.state.readSale(saleId)).toMatchObject({
        name: 'tablets',
        stockTokens: 9,
        initialStock: 9,
        queueCapacity: 3,
        startsAtMs,
        endsAtMs: startsAtMs + 1_000,
      });
    });

    it('leaves the fields it is not given alone', async () => {
      const saleId = await sale(600_000);
      const before = await suite.state.readSale(saleId);
      expect(await suite.state.updateUpcomingSale(saleId, { name: 'renamed' }, 5_000)).toBe('OK');
      expect(await suite.state.readSale(saleId)).toEqual({ ...before, name: 'renamed' });
    });

    it('refuses once the sale started, or within the lead time of its start', async () => {
      expect(await suite.state.updateUpcomingSale(await sale(-1_000), { stock: 1 }, 5_000)).toBe('STARTED');
      expect(await suite.state.updateUpcomingSale(await sale(3_000), { stock: 1 }, 5_000)).toBe('STARTED');
    });

    it('refuses once anyone holds a ticket', async () => {
      const saleId = await sale(600_000);
      // Admitted on a clock that says the sale is open (another gateway's clock, a restored ticket).
      expect((await admit(saleId, { nowMs: Date.now() + 600_001 })).kind).toBe('ADMITTED');
      expect(await suite.state.updateUpcomingSale(saleId, { stock: 1 }, 5_000)).toBe('HAS_TICKETS');
      expect((await suite.state.readSale(saleId))?.stockTokens).toBe(4);
    });

    it('says when the sale is not in Redis', async () => {
      expect(await suite.state.updateUpcomingSale(randomUUID(), { stock: 1 }, 5_000)).toBe('NOT_LOADED');
    });
  });

  describe('endSale', () => {
    it('ends a running sale now: new shoppers are refused, holders keep their ticket, the queue stays', async () => {
      const saleId = await sale(-1_000);
      const holder = newUser();
      const held = await admit(saleId, { userId: holder });
      expect(held.kind).toBe('ADMITTED');
      const ended = await suite.state.endSale(saleId);
      expect(ended).toMatchObject({ kind: 'ENDED', queued: 1 });
      expect(ended.kind === 'ENDED' && Math.abs(ended.endsAtMs - Date.now())).toBeLessThan(1_000);
      expect((await admit(saleId)).kind).toBe('SALE_NOT_ACTIVE');
      const again = await admit(saleId, { userId: holder });
      expect(again).toMatchObject({ kind: 'EXISTING', ticketId: held.kind === 'ADMITTED' ? held.ticketId : '' });
      expect((await suite.state.readSale(saleId))?.queueDepth).toBe(1);
    });

    it('ends a sale that has not started before it starts, and keeps the end of one already over', async () => {
      const upcoming = await sale(600_000);
      await suite.state.endSale(upcoming);
      const info = await suite.state.readSale(upcoming);
      expect(info!.startsAtMs).toBe(info!.endsAtMs);
      expect(info!.endsAtMs).toBeLessThanOrEqual(Date.now());

      const over = await sale(-120_000, 60_000);
      const before = await suite.state.readSale(over);
      expect(await suite.state.endSale(over)).toMatchObject({ kind: 'ENDED', endsAtMs: before!.endsAtMs });
    });
  });
});
