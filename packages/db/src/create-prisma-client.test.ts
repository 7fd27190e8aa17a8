import { createTemporaryDatabase, type TemporaryDatabase } from '../test/temporary-database';
import { createPrismaClient } from './create-prisma-client';
import { OrderStatus, Prisma, type PrismaClient } from './generated/prisma/client';
import { migrate } from './migrate/migrate';

describe('createPrismaClient on the migrated schema', () => {
  let database: TemporaryDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await createTemporaryDatabase();
    await migrate({ databaseUrl: database.databaseUrl });
    prisma = createPrismaClient({ databaseUrl: database.databaseUrl });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  function createSale(stock: number) {
    return prisma.sale.create({
      data: {
        name: 'Limited sneakers',
        stock,
        initialStock: stock,
        queueCapacity: 100,
        startsAt: new Date('2030-01-01T10:00:00Z'),
        endsAt: new Date('2030-01-01T11:00:00Z'),
      },
    });
  }

  function createOrder(saleId: string, userId: string, ticketId: string) {
    return prisma.order.create({ data: { saleId, userId, ticketId, ticketNumber: 1 } });
  }

  async function expectUniqueViolation(write: Promise<unknown>, constraint: string) {
    const error = await write.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect(error).toMatchObject({ code: 'P2002', message: expect.stringContaining(constraint) });
  }

  it('decrements stock conditionally and never below zero', async () => {
    const sale = await createSale(1);
    const takeOne = () => prisma.sale.updateMany({ where: { id: sale.id, stock: { gt: 0 } }, data: { stock: { decrement: 1 } } });

    await expect(takeOne()).resolves.toEqual({ count: 1 });
    await expect(takeOne()).resolves.toEqual({ count: 0 });
    await expect(prisma.sale.findUniqueOrThrow({ where: { id: sale.id } })).resolves.toMatchObject({ stock: 0 });
  });

  it('rejects a negative stock through the CHECK constraint', async () => {
    const sale = await createSale(0);
    await expect(prisma.sale.update({ where: { id: sale.id }, data: { stock: { decrement: 1 } } })).rejects.toThrow(
      /sales_stock_non_negative/,
    );
  });

  it('allows one order per user per sale', async () => {
    const sale = await createSale(10);
    await createOrder(sale.id, 'user-1', 'ticket-a');
    await expectUniqueViolation(createOrder(sale.id, 'user-1', 'ticket-b'), 'orders_sale_id_user_id_key');
  });

  it('never stores the same ticket twice', async () => {
    const [first, second] = [await createSale(10), await createSale(10)];
    await createOrder(first.id, 'user-1', 'ticket-shared');
    await expectUniqueViolation(createOrder(second.id, 'user-2', 'ticket-shared'), 'orders_ticket_id_key');
  });

  it('creates orders awaiting payment by default', async () => {
    const sale = await createSale(10);
    const order = await createOrder(sale.id, 'user-1', 'ticket-default');
    expect(order.status).toBe(OrderStatus.PENDING_PAYMENT);
    expect(order.paidAt).toBeNull();
  });
});
