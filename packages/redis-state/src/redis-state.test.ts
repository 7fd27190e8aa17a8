import { randomUUID } from 'node:crypto';
import { formatTicketId } from '@seckill/contracts';
import { keysMatching } from '@seckill/platform/testing';
import { redisKeys, ticketIssuingKeys } from './keys';
import type { RedisState } from './redis-state';
import { redisStateSuite } from './redis-suite';

describe('Redis state (real Redis)', () => {
  const userIds: string[] = [];
  const now = Date.now();
  const suite = redisStateSuite(
    async (redis, saleId) => [
      ...ticketIssuingKeys(saleId),
      redisKeys.uncountedOrders(saleId),
      redisKeys.loading(saleId),
      ...(await keysMatching(redis, `${redisKeys.saleTag(saleId)}*`)),
    ],
    () => userIds.map((userId) => redisKeys.userTickets(userId)),
  );

  async function sale(patch: Partial<Parameters<RedisState['loadSale']>[0]> = {}) {
    const id = patch.id ?? randomUUID();
    if (!suite.saleIds.includes(id)) suite.saleIds.push(id);
    await suite.state.loadSale({
      id,
      name: 'phones',
      stock: 2,
      initialStock: 2,
      queueCapacity: 2,
      startsAtMs: now - 60_000,
      endsAtMs: now + 60_000,
      epoch: 1,
      ticketNumberFloor: 0,
      ...patch,
    });
    return id;
  }
  const user = () => {
    const userId = `u-${randomUUID().slice(0, 8)}`;
    userIds.push(userId);
    return userId;
  };
  const admit = (saleId: string, userId: string, patch: { nowMs?: number; deadlineMs?: number } = {}) =>
    suite.state.admitTicket({
      saleId,
      userId,
      nowMs: patch.nowMs ?? Date.now(),
      deadlineMs: patch.deadlineMs ?? Date.now() + 5_000,
      relayAfterMs: 1_000,
    });
  const tokens = async (saleId: string) => Number(await suite.redis.get(redisKeys.stockTokens(saleId)));

  describe('loadSale', () => {
    it('loads once; a second load of the same sale is a no-op', async () => {
      const saleId = await sale({ stock: 5, epoch: 3, ticketNumberFloor: 40 });
      expect(
        await suite.state.loadSale({
          id: saleId,
          name: 'x',
          stock: 1,
          initialStock: 1,
          queueCapacity: 1,
          startsAtMs: 0,
          endsAtMs: 1,
          epoch: 4,
          ticketNumberFloor: 0,
        }),
      ).toBe(false);
      expect(await suite.state.readSale(saleId)).toMatchObject({ id: saleId, stockTokens: 5, epoch: 3, queueDepth: 0 });
      expect(await suite.state.activeSales()).toContain(saleId);
      const admitted = await admit(saleId, user());
      expect(admitted).toMatchObject({ kind: 'ADMITTED', ticketId: formatTicketId(saleId, 41, 3), ticketNumber: 41 });
    });
  });

  describe('admitTicket', () => {
    it('numbers the ticket, takes a token, queues it and puts it in the outbox', async () => {
      const saleId = await sale();
      const userId = user();
      const admitted = await admit(saleId, userId);
      expect(admitted).toEqual({ kind: 'ADMITTED', ticketId: formatTicketId(saleId, 1), ticketNumber: 1, position: 0 });
      expect(await tokens(saleId)).toBe(1);
      expect(await suite.state.getTicket(formatTicketId(saleId, 1))).toMatchObject({
        userId,
        status: 'QUEUED',
        epoch: 1,
        admittedAt: expect.any(Number),
      });
      expect(await suite.redis.zrange(redisKeys.outbox(saleId), 0, -1)).toEqual([formatTicketId(saleId, 1)]);
    });

    it('gives a holder their ticket back whatever else holds: sold out, queue full, sale ended', async () => {
      const saleId = await sale({ stock: 1, queueCapacity: 1 });
      const holder = user();
      const first = await admit(saleId, holder);
      expect(await admit(saleId, user())).toEqual({ kind: 'SOLD_OUT' });
      for (const nowMs of [Date.now(), now + 120_000]) {
        expect(await admit(saleId, holder, { nowMs })).toMatchObject({
          kind: 'EXISTING',
          ticketId: first.kind === 'ADMITTED' && first.ticketId,
          status: 'QUEUED',
          position: 0,
        });
      }
    });

    it('refuses outside the window, when sold out or when the queue is full', async () => {
      const saleId = await sale({ stock: 3, queueCapacity: 1 });
      expect(await admit(saleId, user(), { nowMs: now - 120_000 })).toEqual({ kind: 'SALE_NOT_ACTIVE' });
      await admit(saleId, user());
      expect(await admit(saleId, user())).toEqual({ kind: 'QUEUE_FULL', queueDepth: 1 });
      expect(await admit(randomUUID(), user())).toEqual({ kind: 'SALE_NOT_FOUND' });
    });

    it('limits attempts per user and per IP within the sale, in the same step, but never a holder', async () => {
      const saleId = await sale({ stock: 5, queueCapacity: 5 });
      const limits = { perUser: 2, perIp: 3, windowMs: 60_000 };
      const attempt = (userId: string, clientIp: string) =>
        suite.state.admitTicket({
          saleId,
          userId,
          nowMs: Date.now(),
          deadlineMs: Date.now() + 5_000,
          relayAfterMs: 1_000,
          clientIp,
          limits,
        });
      const [holder, greedy] = [user(), user()];
      expect(await attempt(holder, '10.0.0.1')).toMatchObject({ kind: 'ADMITTED' });
      for (let i = 0; i < 5; i++) expect(await attempt(holder, '10.0.0.1')).toMatchObject({ kind: 'EXISTING' });
      await suite.state.cancelTicket({ saleId, ticketId: `${saleId}.1.1`, userId: holder, nowMs: Date.now() });
      // Released, the former holder counts again: their second attempt is allowed, the third is not.
      expect(await attempt(holder, '10.0.0.2')).toMatchObject({ kind: 'ADMITTED' });
      await suite.state.cancelTicket({ saleId, ticketId: `${saleId}.1.2`, userId: holder, nowMs: Date.now() });
      expect(await attempt(holder, '10.0.0.3')).toMatchObject({ kind: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
      // Per IP: three attempts from 10.0.0.9, whoever makes them.
      for (const userId of [greedy, user(), user()]) expect(await attempt(userId, '10.0.0.9')).toMatchObject({ kind: 'ADMITTED' });
      const limited = await attempt(user(), '10.0.0.9');
      expect(limited).toMatchObject({ kind: 'RATE_LIMITED' });
      expect(limited.kind === 'RATE_LIMITED' && limited.retryAfterMs).toBeGreaterThan(50_000);
    });

    it('admits nobody new while a sale reloaded after a loss recovers, but gives holders their ticket', async () => {
      const saleId = randomUUID();
      suite.saleIds.push(saleId);
      const holder = user();
      await suite.state.restoreTickets(saleId, 2, [
        {
          ticketId: formatTicketId(saleId, 7),
          saleId,
          userId: holder,
          ticketNumber: 7,
          status: 'SUCCEEDED',
          orderId: randomUUID(),
          decidedAt: now,
        },
      ]);
      await sale({ id: saleId, epoch: 2, recoveringSinceMs: now });
      expect(await suite.state.readSale(saleId)).toMatchObject({ epoch: 2, recoveringSinceMs: now });
      expect(await admit(saleId, user())).toEqual({ kind: 'RECOVERING' });
      expect(await admit(saleId, holder)).toMatchObject({ kind: 'EXISTING', status: 'SUCCEEDED' });

      expect(await suite.state.endRecovery(saleId, 1)).toBe(false);
      expect(await admit(saleId, user())).toEqual({ kind: 'RECOVERING' });
      expect(await suite.state.endRecovery(saleId, 2)).toBe(true);
      expect((await suite.state.readSale(saleId))?.recoveringSinceMs).toBeUndefined();
      expect(await admit(saleId, user())).toMatchObject({ kind: 'ADMITTED' });
      expect(await tokens(saleId)).toBe(1);
    });

    it("admits nothing once the caller's deadline passed on Redis's clock", async () => {
      const saleId = await sale();
      expect(await admit(saleId, user(), { deadlineMs: Date.now() - 1 })).toEqual({ kind: 'TOO_LATE' });
      expect(await tokens(saleId)).toBe(2);
    });
  });

  describe("the lottery's pre-queue", () => {
    const at = (saleId: string, userId: string, nowMs: number) => admit(saleId, userId, { nowMs, deadlineMs: Date.now() + 5_000 });
    const lotterySale = (patch: Partial<Parameters<RedisState['loadSale']>[0]> = {}) =>
      sale({ startsAtMs: now + 60_000, endsAtMs: now + 120_000, prequeueOpensAtMs: now - 1_000, ...patch });

    it('takes shoppers into the pre-queue before the start, and answers them the same until the draw', async () => {
      const saleId = await lotterySale({ prequeueOpensAtMs: now + 1_000 });
      const [first, second] = [user(), user()];
      expect(await at(saleId, first, now)).toEqual({ kind: 'SALE_NOT_ACTIVE' }); // the pre-queue is not open yet
      expect(await at(saleId, first, now + 1_000)).toEqual({ kind: 'PREQUEUED', prequeueSize: 1, startsAtMs: expect.any(Number) });
      expect(await at(saleId, second, now + 2_000)).toEqual({ kind: 'PREQUEUED', prequeueSize: 2, startsAtMs: now + 60_000 });
      expect(await at(saleId, first, now + 3_000)).toEqual({ kind: 'PREQUEUED', prequeueSize: 2, startsAtMs: now + 60_000 });
      expect(await suite.state.readSale(saleId)).toMatchObject({
        prequeueOpensAtMs: now + 1_000,
        prequeueSize: 2,
        prequeueDrawn: false,
        stockTokens: 2,
      });
      // After the start, nobody is let in before the draw.
      for (const userId of [first, user()]) expect(await at(saleId, userId, now + 60_000)).toEqual({ kind: 'DRAW_FIRST' });
    });

    it('draws once: tickets in rank order while stock lasts, the rest answered as later arrivals', async () => {
      const saleId = await lotterySale({ stock: 2, queueCapacity: 5 });
      const entrants = [user(), user(), user()];
      for (const userId of entrants) await at(saleId, userId, now);
      const draw = (nowMs: number) => suite.state.drawPrequeue(saleId, { nowMs, relayAfterMs: 1_000 });
      expect(await draw(now + 59_999)).toEqual({ kind: 'NOT_DUE' });
      expect(
        (await suite.state.sweepOutbox(saleId, { nowMs: now + 60_000, retryMs: 1_000, enqueueDeadlineMs: 10_000, limit: 10 })).drawDue,
      ).toBe(true);

      const [drawn, again] = await Promise.all([draw(now + 60_000), draw(now + 60_000)]);
      const outcome = drawn.kind === 'DRAWN' ? drawn : again;
      expect([drawn.kind, again.kind].sort()).toEqual(['ALREADY_DRAWN', 'DRAWN']);
      expect(outcome).toMatchObject({ kind: 'DRAWN', entrants: 3 });
      const tickets = outcome.kind === 'DRAWN' ? outcome.tickets : [];
      expect(tickets.map((ticket) => ticket.ticketNumber)).toEqual([1, 2]);
      expect(new Set(tickets.map((ticket) => ticket.userId)).size).toBe(2);
      expect(await suite.redis.zrange(redisKeys.outbox(saleId), 0, -1)).toEqual(tickets.map((ticket) => ticket.ticketId));
      expect(await suite.state.readSale(saleId)).toMatchObject({ stockTokens: 0, queueDepth: 2, prequeueSize: 0, prequeueDrawn: true });
      expect(
        (await suite.state.sweepOutbox(saleId, { nowMs: now + 60_000, retryMs: 1_000, enqueueDeadlineMs: 10_000, limit: 10 })).drawDue,
      ).toBe(false);

      const winner = tickets[0]!;
      expect(await at(saleId, winner.userId, now + 61_000)).toMatchObject({
        kind: 'EXISTING',
        ticketId: winner.ticketId,
        ticketNumber: winner.ticketNumber,
      });
      const loser = entrants.find((userId) => !tickets.some((ticket) => ticket.userId === userId))!;
      expect(await at(saleId, loser, now + 61_000)).toEqual({ kind: 'SOLD_OUT' });
    });

    it('queues later arrivals behind the drawn tickets, in arrival order', async () => {
      const saleId = await lotterySale({ stock: 5, queueCapacity: 5 });
      await at(saleId, user(), now);
      await suite.state.drawPrequeue(saleId, { nowMs: now + 60_000, relayAfterMs: 1_000 });
      expect(await at(saleId, user(), now + 60_001)).toMatchObject({ kind: 'ADMITTED', ticketNumber: 2, position: 1 });
      expect(await at(saleId, user(), now + 60_002)).toMatchObject({ kind: 'ADMITTED', ticketNumber: 3, position: 2 });
    });

    it('does not draw a sale without a pre-queue, or one recovering from a Redis loss', async () => {
      const plain = await sale();
      expect(await suite.state.drawPrequeue(plain, { nowMs: Date.now(), relayAfterMs: 1_000 })).toEqual({ kind: 'NOT_DUE' });
      expect(
        (await suite.state.sweepOutbox(plain, { nowMs: Date.now(), retryMs: 1_000, enqueueDeadlineMs: 10_000, limit: 10 })).drawDue,
      ).toBe(false);
      const recovering = await lotterySale({ startsAtMs: now - 1_000, recoveringSinceMs: now });
      expect(await suite.state.drawPrequeue(recovering, { nowMs: now, relayAfterMs: 1_000 })).toEqual({ kind: 'NOT_DUE' });
    });
  });

  describe('purchase challenges', () => {
    const challenge = (difficulty = 8) => ({ nonce: randomUUID(), difficulty, expiresAtMs: Date.now() + 60_000 });
    const withChallenge = (saleId: string, userId: string, solved?: ReturnType<typeof challenge>) =>
      suite.state.admitTicket({
        saleId,
        userId,
        nowMs: Date.now(),
        deadlineMs: Date.now() + 5_000,
        relayAfterMs: 1_000,
        ...(solved ? { challenge: solved } : {}),
      });

    it("asks for one of the sale's difficulty, and takes each once", async () => {
      const saleId = await sale({ stock: 5, queueCapacity: 5, challengeDifficulty: 8 });
      expect(await suite.state.readSale(saleId)).toMatchObject({ challengeDifficulty: 8 });
      expect(await withChallenge(saleId, user())).toEqual({ kind: 'CHALLENGE_REQUIRED' });
      expect(await withChallenge(saleId, user(), challenge(7))).toEqual({ kind: 'CHALLENGE_REQUIRED' });
      const solved = challenge();
      const holder = user();
      expect(await withChallenge(saleId, holder, solved)).toMatchObject({ kind: 'ADMITTED' });
      expect(await withChallenge(saleId, user(), solved)).toEqual({ kind: 'CHALLENGE_INVALID' });
      // The holder gets their ticket back without one.
      expect(await withChallenge(saleId, holder)).toMatchObject({ kind: 'EXISTING' });
      expect(await suite.redis.pttl(redisKeys.usedChallengePrefix(saleId) + solved.nonce)).toBeGreaterThan(59_000);
    });

    it('is used up only by what it bought: a refusal leaves it good', async () => {
      const saleId = await sale({ stock: 1, queueCapacity: 1, challengeDifficulty: 8 });
      await withChallenge(saleId, user(), challenge());
      const solved = challenge();
      expect(await withChallenge(saleId, user(), solved)).toEqual({ kind: 'SOLD_OUT' });
      expect(await suite.redis.exists(redisKeys.usedChallengePrefix(saleId) + solved.nonce)).toBe(0);
    });

    it('is needed to join a pre-queue, not to ask again from it', async () => {
      const saleId = await sale({
        startsAtMs: now + 60_000,
        endsAtMs: now + 120_000,
        prequeueOpensAtMs: now - 1_000,
        challengeDifficulty: 8,
      });
      const userId = user();
      expect(await withChallenge(saleId, userId)).toEqual({ kind: 'CHALLENGE_REQUIRED' });
      expect(await withChallenge(saleId, userId, challenge())).toEqual({
        kind: 'PREQUEUED',
        prequeueSize: 1,
        startsAtMs: expect.any(Number),
      });
      expect(await withChallenge(saleId, userId)).toEqual({ kind: 'PREQUEUED', prequeueSize: 1, startsAtMs: expect.any(Number) });
    });
  });

  describe('cancelTicket', () => {
    it('cancels a queued ticket once: token back, hold released, out of queue and outbox', async () => {
      const saleId = await sale();
      const userId = user();
      const { ticketId } = (await admit(saleId, userId)) as { ticketId: string };
      expect(await suite.state.cancelTicket({ saleId, ticketId, userId: 'someone-else', nowMs: now })).toEqual({ kind: 'NOT_FOUND' });
      expect(await suite.state.cancelTicket({ saleId, ticketId, userId, nowMs: now })).toEqual({ kind: 'OK', ticketNumber: 1 });
      expect(await suite.state.cancelTicket({ saleId, ticketId, userId, nowMs: now })).toEqual({ kind: 'FINAL', status: 'CANCELLED' });
      expect([
        await tokens(saleId),
        await suite.redis.zcard(redisKeys.outbox(saleId)),
        await suite.redis.zcard(redisKeys.queuedTickets(saleId)),
      ]).toEqual([2, 0, 0]);
      expect(await admit(saleId, userId)).toMatchObject({ kind: 'ADMITTED', ticketNumber: 2 });
    });

    it('loses to a worker that claimed the ticket', async () => {
      const saleId = await sale();
      const userId = user();
      const { ticketId } = (await admit(saleId, userId)) as { ticketId: string };
      expect(await suite.state.claimTickets([ticketId])).toEqual(new Map([[ticketId, 'CLAIMED']]));
      expect(await suite.state.cancelTicket({ saleId, ticketId, userId, nowMs: now })).toEqual({ kind: 'CLAIMED' });
    });
  });

  describe('claimTickets', () => {
    it('claims queued tickets, reports the others, and takes them all out of the outbox', async () => {
      const saleId = await sale({ stock: 5, queueCapacity: 5 });
      const [queued, cancelled] = [
        (await admit(saleId, user())) as { ticketId: string },
        (await admit(saleId, user())) as { ticketId: string },
      ];
      await suite.redis.hset(redisKeys.ticket(saleId, cancelled.ticketId), 'status', 'CANCELLED');
      const missing = formatTicketId(saleId, 99);
      const outcomes = await suite.state.claimTickets([queued.ticketId, cancelled.ticketId, missing, 'not-a-ticket']);
      expect(Object.fromEntries(outcomes)).toEqual({
        [queued.ticketId]: 'CLAIMED',
        [cancelled.ticketId]: 'CANCELLED',
        [missing]: 'MISSING',
        'not-a-ticket': 'MISSING',
      });
      expect(await suite.redis.zcard(redisKeys.outbox(saleId))).toBe(0);
    });
  });

  describe('recordResults', () => {
    it('records once, never over a final ticket, rebuilds a missing one, indexes them for their users', async () => {
      const saleId = await sale({ stock: 5, queueCapacity: 5 });
      const userId = user();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push(((await admit(saleId, user())) as { ticketId: string }).ticketId);
      await suite.redis.hset(redisKeys.ticket(saleId, ids[2]!), 'status', 'CANCELLED');
      const missing = formatTicketId(saleId, 8);
      const results = [...ids, missing].map((ticketId) => ({
        ticketId,
        saleId,
        userId,
        status: 'SUCCEEDED' as const,
        orderId: `order-${ticketId}`,
        at: 5,
        stockEpoch: 1,
      }));
      expect(await suite.state.recordResults(results)).toEqual([true, true, false, true]);
      expect(await suite.state.recordResults(results)).toEqual([false, false, false, false]);
      expect(await suite.state.getTicket(ids[0]!)).toMatchObject({ status: 'SUCCEEDED', orderId: `order-${ids[0]}`, updatedAt: 5 });
      expect(await suite.state.getTicket(missing)).toMatchObject({ status: 'SUCCEEDED', ticketNumber: 8, userId });
      expect((await suite.state.getTicket(ids[2]!))?.status).toBe('CANCELLED');
      // Recorded ones leave the queue and the outbox (the hand-cancelled one stays where it was).
      expect([
        await suite.redis.zrange(redisKeys.queuedTickets(saleId), 0, -1),
        await suite.redis.zrange(redisKeys.outbox(saleId), 0, -1),
      ]).toEqual([[ids[2]], [ids[2]]]);
      expect((await suite.state.listUserTickets(userId)).map((t) => t.ticketId).sort()).toEqual([ids[0], ids[1], missing].sort());
    });

    it('keeps the tokens equal to what PostgreSQL can sell, across epochs', async () => {
      const saleId = await sale({ stock: 10, queueCapacity: 10, epoch: 2 });
      const result = (ticketNumber: number, epoch: number, status: 'SUCCEEDED' | 'FAILED', detail?: number | string) => ({
        ticketId: formatTicketId(saleId, ticketNumber, epoch),
        saleId,
        userId: user(),
        status,
        at: 1,
        ...(status === 'FAILED' ? { reason: (detail as string | undefined) ?? 'ALREADY_ORDERED' } : { orderId: `o-${ticketNumber}` }),
        ...(typeof detail === 'number' ? { stockEpoch: detail } : {}),
      });
      await suite.state.recordResults([
        result(1, 2, 'FAILED'), // this epoch's token, not used: back (+1)
        result(2, 2, 'SUCCEEDED', 2), // this epoch's token, used: nothing
        result(3, 1, 'SUCCEEDED', 2), // older epoch, stock taken after the reload counted it: take one (-1)
        result(4, 1, 'SUCCEEDED', 1), // older epoch, stock taken before the reload: already counted
        result(5, 1, 'FAILED'), // older epoch's token was never in this count: nothing
        result(6, 2, 'SUCCEEDED', 3), // a later reload lost the race to load; still after this count: nothing (this epoch)
        result(10, 2, 'FAILED', 'SOLD_OUT'), // PostgreSQL had nothing for it: its token stood for no item, nothing
      ]);
      expect(await tokens(saleId)).toBe(10);
      await suite.state.recordResults([result(7, 2, 'FAILED'), result(8, 2, 'FAILED'), result(9, 1, 'SUCCEEDED', 3)]);
      expect(await tokens(saleId)).toBe(11);
    });

    it('counts orders recorded while the sale is not loaded against the next load at or before their stock epoch', async () => {
      const saleId = randomUUID();
      suite.saleIds.push(saleId);
      const result = (ticketNumber: number, status: 'SUCCEEDED' | 'FAILED', stockEpoch?: number) => ({
        ticketId: formatTicketId(saleId, ticketNumber, 1),
        saleId,
        userId: user(),
        status,
        at: 1,
        ...(status === 'FAILED' ? { reason: 'SOLD_OUT' } : { orderId: `o-${ticketNumber}` }),
        ...(stockEpoch === undefined ? {} : { stockEpoch }),
      });
      // Written before the reload read PostgreSQL (epoch 1), after it (epoch 2 and 3: a reload that lost the race to load).
      await suite.state.recordResults([
        result(1, 'SUCCEEDED', 1),
        result(2, 'SUCCEEDED', 2),
        result(3, 'SUCCEEDED', 3),
        result(4, 'FAILED'),
      ]);
      expect(await suite.redis.exists(redisKeys.stockTokens(saleId))).toBe(0);
      // The load read 10 left at epoch 2: orders 2 and 3 came later and come off.
      await suite.state.loadSale({
        id: saleId,
        name: 'x',
        stock: 10,
        initialStock: 12,
        queueCapacity: 10,
        startsAtMs: now - 1,
        endsAtMs: now + 60_000,
        epoch: 2,
        ticketNumberFloor: 9,
      });
      expect(await tokens(saleId)).toBe(8);
      expect(await suite.redis.exists(redisKeys.uncountedOrders(saleId))).toBe(0);
    });
  });

  describe('sweepOutbox', () => {
    const sweep = (saleId: string, nowMs: number) =>
      suite.state.sweepOutbox(saleId, { nowMs, retryMs: 1_000, enqueueDeadlineMs: 10_000, limit: 100 });

    it('hands out due tickets once per retry delay, drops claimed ones, reaps what is past the deadline', async () => {
      const saleId = await sale({ stock: 5, queueCapacity: 5 });
      const [a, b, c] = [user(), user(), user()];
      const t0 = Date.now();
      const ids = [] as string[];
      for (const userId of [a, b, c]) ids.push(((await admit(saleId, userId, { nowMs: t0 })) as { ticketId: string }).ticketId);
      expect(await sweep(saleId, t0)).toEqual({ relay: [], reaped: [], idle: false, drawDue: false }); // not due yet
      await suite.state.claimTickets([ids[1]!]);
      const due = await sweep(saleId, t0 + 1_000);
      expect(due.relay.map((entry) => entry.ticketId)).toEqual([ids[0], ids[2]]);
      expect(due.relay[0]).toEqual({ ticketId: ids[0], saleId, userId: a, ticketNumber: 1, admittedAt: t0 });
      expect((await sweep(saleId, t0 + 1_500)).relay).toEqual([]); // taken until t0 + 2000
      expect((await sweep(saleId, t0 + 2_000)).relay.map((entry) => entry.ticketId)).toEqual([ids[0], ids[2]]);

      const reaped = await sweep(saleId, t0 + 10_000);
      expect(reaped.reaped).toEqual([
        { ticketId: ids[0], saleId, userId: a, ticketNumber: 1 },
        { ticketId: ids[2], saleId, userId: c, ticketNumber: 3 },
      ]);
      expect(await suite.state.getTicket(ids[0]!)).toMatchObject({ status: 'FAILED', reason: 'QUEUE_UNAVAILABLE' });
      // Two tokens back (the claimed ticket keeps its own), and the reaped shoppers may buy again.
      expect(await tokens(saleId)).toBe(4);
      expect(await admit(saleId, a)).toMatchObject({ kind: 'ADMITTED' });
    });

    it('says when an ended sale has nothing left to send', async () => {
      const saleId = await sale({ endsAtMs: Date.now() - 1 });
      expect((await sweep(saleId, Date.now())).idle).toBe(true);
    });
  });

  describe('restoreTickets', () => {
    it('lets one reload restore and load: the latest epoch, never after the sale is loaded', async () => {
      const saleId = randomUUID();
      suite.saleIds.push(saleId);
      const decided = (n: number) => ({
        ticketId: formatTicketId(saleId, n),
        saleId,
        userId: user(),
        ticketNumber: n,
        status: 'SUCCEEDED' as const,
        orderId: `o-${n}`,
        decidedAt: 1,
      });
      const load = (epoch: number, stock: number) =>
        suite.state.loadSale({
          id: saleId,
          name: 'x',
          stock,
          initialStock: 9,
          queueCapacity: 9,
          startsAtMs: now - 1,
          endsAtMs: now + 60_000,
          epoch,
          ticketNumberFloor: 9,
        });
      expect(await suite.state.restoreTickets(saleId, 2, [decided(1)])).toBe(true);
      // A concurrent reload counted later (epoch 3): it takes over; the first may no longer load.
      expect(await suite.state.restoreTickets(saleId, 3, [decided(1), decided(2)])).toBe(true);
      expect(await suite.state.restoreTickets(saleId, 2, [])).toBe(false);
      expect(await load(2, 8)).toBe(false);
      expect(await load(3, 7)).toBe(true);
      expect(await suite.state.readSale(saleId)).toMatchObject({ epoch: 3, stockTokens: 7 });
      expect(await suite.state.restoreTickets(saleId, 4, [decided(3)])).toBe(false);
      expect(await suite.state.getTicket(formatTicketId(saleId, 3))).toBeUndefined();
      expect(await suite.redis.exists(redisKeys.loading(saleId))).toBe(0);
    });

    it('rebuilds the decided tickets a loss took, held by their buyers, without touching the ones Redis has', async () => {
      const saleId = randomUUID();
      suite.saleIds.push(saleId);
      const [buyer, other] = [user(), user()];
      const decided = {
        ticketId: formatTicketId(saleId, 4),
        saleId,
        userId: buyer,
        ticketNumber: 4,
        status: 'SUCCEEDED' as const,
        orderId: 'o-4',
        decidedAt: 44,
      };
      const present = { ...decided, ticketId: formatTicketId(saleId, 5), userId: other, ticketNumber: 5, orderId: 'o-5' };
      await suite.redis.hset(redisKeys.ticket(saleId, present.ticketId), {
        ticketId: present.ticketId,
        saleId,
        userId: other,
        ticketNumber: 5,
        status: 'SUCCEEDED',
        orderId: 'kept',
        updatedAt: 1,
      });
      expect(await suite.state.restoreTickets(saleId, 2, [decided, present])).toBe(true);
      expect(await suite.state.getTicket(decided.ticketId)).toMatchObject({ status: 'SUCCEEDED', orderId: 'o-4', updatedAt: 44 });
      expect((await suite.state.getTicket(present.ticketId))?.orderId).toBe('kept');
      await suite.state.loadSale({
        id: saleId,
        name: 'x',
        stock: 0,
        initialStock: 2,
        queueCapacity: 2,
        startsAtMs: now - 1,
        endsAtMs: now + 60_000,
        epoch: 2,
        ticketNumberFloor: 9,
      });
      expect(await admit(saleId, buyer)).toMatchObject({ kind: 'EXISTING', ticketId: decided.ticketId, status: 'SUCCEEDED' });
    });

    it('gives the buyer of a ticket rebuilt from its result their hold back', async () => {
      const saleId = await sale({ stock: 1, epoch: 2 });
      const buyer = user();
      const lost = formatTicketId(saleId, 3, 1);
      await suite.state.recordResults([
        { ticketId: lost, saleId, userId: buyer, status: 'SUCCEEDED', orderId: 'o-3', at: 1, stockEpoch: 2 },
      ]);
      expect(await admit(saleId, buyer)).toMatchObject({ kind: 'EXISTING', ticketId: lost, status: 'SUCCEEDED' });
    });
  });

  describe('returnExpiredTokens', () => {
    it("returns each expired order's token once", async () => {
      const saleId = await sale({ stock: 0 });
      expect(await suite.state.returnExpiredTokens(saleId, ['o1', 'o2'])).toBe(2);
      expect(await suite.state.returnExpiredTokens(saleId, ['o2', 'o3'])).toBe(1);
      expect(await tokens(saleId)).toBe(3);
    });
  });
});
