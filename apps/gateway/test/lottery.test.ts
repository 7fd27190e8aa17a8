import { formatTicketId, type PrequeueReceipt, type SaleView, type TicketReceipt } from '@seckill/contracts';
import { createRedisState } from '@seckill/redis-state';
import { uniqueName, waitFor } from '@seckill/platform/testing';
import { startGateway, type GatewayHarness } from './gateway-harness';

describe('a lottery sale: the pre-queue and its draw at the start', () => {
  // The gateways' clock, moved past the start by the tests.
  let offsetMs = 0;
  const clock = () => Date.now() + offsetMs;
  let gateway: GatewayHarness;
  let second: GatewayHarness;
  beforeAll(async () => {
    gateway = await startGateway({}, { clock });
    // Both gateways produce to one topic, read by `gateway.readOrders`.
    second = await startGateway({ ORDERS_TOPIC: gateway.config.ORDERS_TOPIC }, { clock });
  });
  afterAll(async () => {
    await Promise.all([gateway.close(), second.close()]);
  });
  beforeEach(() => {
    offsetMs = 0;
  });

  const lotterySale = (stock: number) =>
    gateway.createSale({
      stock,
      prequeueOpensAt: new Date(Date.now() - 1_000).toISOString(),
      startsAt: new Date(Date.now() + 60_000).toISOString(),
    });
  const afterTheStart = () => (offsetMs = 61_000);
  /** The ticket numbers of the sale's order messages on the shared topic, once there are `count`. */
  const ordersOf = (saleId: string, count: number) =>
    waitFor(
      async () => {
        // A relay's re-send may repeat one: the worker's idempotency makes that harmless.
        const numbers = new Set(
          (await gateway.readOrders(1)).filter((order) => order.saleId === saleId).map((order) => order.ticketNumber),
        );
        return numbers.size >= count ? [...numbers].sort() : undefined;
      },
      { what: `${count} orders of sale ${saleId}` },
    );

  it('answers 202 PREQUEUED before the start, and shows the pre-queue on the sale', async () => {
    const sale = await lotterySale(2);
    expect(sale).toMatchObject({ state: 'PREQUEUE', prequeueOpensAt: expect.any(String), prequeueSize: 0, challengeDifficulty: 0 });
    const [first, again, other] = [
      await gateway.buy(sale.id, 'lucky-a'),
      await gateway.buy(sale.id, 'lucky-a'),
      await second.buy(sale.id, 'lucky-b'),
    ];
    for (const response of [first, again, other]) expect(response.statusCode).toBe(202);
    expect(first.json<PrequeueReceipt>()).toEqual({
      saleId: sale.id,
      status: 'PREQUEUED',
      drawsAt: sale.startsAt,
      drawsInMs: expect.any(Number),
      prequeueSize: 1,
    });
    expect(first.json<PrequeueReceipt>().drawsInMs).toBeGreaterThan(55_000);
    expect(other.json<PrequeueReceipt>().prequeueSize).toBe(2);
    const view = (await gateway.app.inject({ url: `/api/sales/${sale.id}` })).json<SaleView>();
    expect(view).toMatchObject({ state: 'PREQUEUE', prequeueSize: 2, remainingStock: 2 });
  });

  it('draws once at the start, across gateways racing: tickets for as many as the stock, then the others are answered as anyone', async () => {
    const sale = await lotterySale(3);
    const members = Array.from({ length: 8 }, (_, i) => uniqueName(`member${i}`));
    for (const userId of members) expect((await gateway.buy(sale.id, userId)).statusCode).toBe(202);
    afterTheStart();
    // Every member asks at once, half through each gateway, while both relays may sweep too.
    const answers = await Promise.all(members.map((userId, i) => (i % 2 ? second : gateway).buy(sale.id, userId)));
    const winners = answers.filter((response) => response.statusCode === 202).map((response) => response.json<TicketReceipt>());
    expect(winners.map((receipt) => receipt.ticketNumber).sort()).toEqual([1, 2, 3]);
    expect(winners.every((receipt) => receipt.status === 'QUEUED')).toBe(true);
    expect(answers.filter((response) => response.statusCode === 410).length).toBe(5);
    // A repeat answers the drawn ticket; the orders went to Kafka.
    const winner = members[answers.findIndex((response) => response.statusCode === 202)]!;
    expect((await second.buy(sale.id, winner)).json<TicketReceipt>().ticketId).toBe(winners.find((receipt) => receipt)!.ticketId);
    expect(await ordersOf(sale.id, 3)).toEqual([1, 2, 3]);
  });

  it("is drawn by a gateway's sweep when no purchase comes, and later arrivals queue behind in arrival order", async () => {
    const sale = await lotterySale(5);
    await gateway.buy(sale.id, 'early-bird');
    afterTheStart();
    await gateway.app.outboxRelay.sweepOnce();
    expect(await gateway.app.redis.exists(`{sale:${sale.id}}:drawn`)).toBe(1);
    const late = (await gateway.buy(sale.id, uniqueName('late'))).json<TicketReceipt>();
    expect(late).toMatchObject({ ticketNumber: 2, position: 1 });
    expect((await gateway.buy(sale.id, 'early-bird')).json<TicketReceipt>()).toMatchObject({
      ticketId: formatTicketId(sale.id, 1),
      position: 0,
    });
  });

  it('gets the drawn orders to Kafka even when the gateway that drew died before sending them', async () => {
    const sale = await lotterySale(1);
    await gateway.buy(sale.id, 'orphan');
    // What a gateway killed right after the draw leaves: the drawn ticket, in the outbox only.
    const drawn = await createRedisState({ redis: gateway.app.redis }).drawPrequeue(sale.id, {
      nowMs: Date.now() + 61_000,
      relayAfterMs: 1,
    });
    expect(drawn).toMatchObject({ kind: 'DRAWN', tickets: [{ userId: 'orphan', ticketNumber: 1 }] });
    offsetMs = 62_000;
    await second.app.outboxRelay.sweepOnce();
    expect(await ordersOf(sale.id, 1)).toEqual([1]);
  });
});
