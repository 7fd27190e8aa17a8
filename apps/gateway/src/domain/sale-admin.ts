import { SeckillError, type AdminSale, type EndSaleResult, type UpdateSaleBody } from '@seckill/contracts';
import type { PrismaClient, Sale } from '@seckill/db';
import type { Logger } from '@seckill/platform';
import type { RedisState, UpcomingSaleChange } from '@seckill/redis-state';
import type { Clock } from './clock';
import { saleStateAt, type SaleCatalog } from './sale-catalog';

export interface SaleAdmin {
  /** The newest sales first, as PostgreSQL has them. */
  list(limit: number): Promise<AdminSale[]>;
  /** Change a sale that has not started (and is not about to: `leadMs`). */
  update(saleId: string, change: UpdateSaleBody): Promise<AdminSale>;
  /** End a sale now: no new tickets; the queued ones are decided by the workers as usual. */
  end(saleId: string): Promise<EndSaleResult>;
}

const toAdminSale = (sale: Sale, now: number): AdminSale => ({
  id: sale.id,
  name: sale.name,
  initialStock: sale.initialStock,
  stock: sale.stock,
  queueCapacity: sale.queueCapacity,
  startsAt: sale.startsAt.toISOString(),
  endsAt: sale.endsAt.toISOString(),
  ...(sale.prequeueOpensAt ? { prequeueOpensAt: sale.prequeueOpensAt.toISOString() } : {}),
  challengeDifficulty: sale.challengeDifficulty,
  createdAt: sale.createdAt.toISOString(),
  state: saleStateAt(
    {
      startsAtMs: sale.startsAt.getTime(),
      endsAtMs: sale.endsAt.getTime(),
      remainingStock: sale.stock,
      ...(sale.prequeueOpensAt ? { prequeueOpensAtMs: sale.prequeueOpensAt.getTime() } : {}),
    },
    now,
  ),
});

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createSaleAdmin(options: {
  prisma: PrismaClient;
  redisState: Pick<RedisState, 'updateUpcomingSale' | 'endSale'>;
  sales: Pick<SaleCatalog, 'view' | 'ensureLoaded'>;
  clock: Clock;
  logger: Logger;
  /** No change within this long of a sale's start: every gateway must see the sale it opens. */
  leadMs: number;
}): SaleAdmin {
  const { prisma, redisState, clock, leadMs } = options;
  const notFound = (saleId: string) => new SeckillError('SALE_NOT_FOUND', `No sale ${saleId}`);
  const started = (saleId: string) =>
    new SeckillError(
      'SALE_ALREADY_STARTED',
      `Sale ${saleId} has started (or starts within ${leadMs / 1000} s, or someone holds a ticket): it can only be ended now`,
    );

  return {
    async list(limit) {
      const sales = await prisma.sale.findMany({ orderBy: { createdAt: 'desc' }, take: limit });
      const now = clock();
      return sales.map((sale) => toAdminSale(sale, now));
    },

    async update(saleId, change) {
      if (!UUID_PATTERN.test(saleId)) throw notFound(saleId);
      let before: Sale | undefined;
      const updated = await prisma
        .$transaction(async (tx) => {
          // The row lock orders this change with a reload of the sale into Redis (sale-catalog.ts).
          const [sale] = await tx.$queryRaw<Sale[]>`
          SELECT id::text AS id, name, stock, initial_stock AS "initialStock", queue_capacity AS "queueCapacity",
                 starts_at AS "startsAt", ends_at AS "endsAt", ticket_epoch AS "ticketEpoch", created_at AS "createdAt", updated_at AS "updatedAt",
                 prequeue_opens_at AS "prequeueOpensAt", challenge_difficulty AS "challengeDifficulty"
          FROM sales WHERE id = ${saleId}::uuid FOR UPDATE`;
          if (!sale) throw notFound(saleId);
          before = sale;
          // A lottery opens (and takes shoppers) at its pre-queue, before the start.
          const opensAt = (sale.prequeueOpensAt ?? sale.startsAt).getTime();
          if (opensAt <= clock() + leadMs || sale.stock !== sale.initialStock) throw started(saleId);
          const startsAt = change.startsAt ? new Date(change.startsAt) : sale.startsAt;
          const endsAt = change.endsAt ? new Date(change.endsAt) : sale.endsAt;
          const prequeueOpensAt =
            change.prequeueOpensAt === undefined
              ? sale.prequeueOpensAt
              : change.prequeueOpensAt === null
                ? null
                : new Date(change.prequeueOpensAt);
          if (endsAt <= startsAt) throw new SeckillError('INVALID_INPUT', 'endsAt must be after startsAt');
          if (prequeueOpensAt && prequeueOpensAt >= startsAt)
            throw new SeckillError('INVALID_INPUT', 'prequeueOpensAt must be before startsAt');
          if (Math.min(startsAt.getTime(), prequeueOpensAt?.getTime() ?? Infinity) <= clock() + leadMs) {
            throw new SeckillError('INVALID_INPUT', `startsAt and prequeueOpensAt must be more than ${leadMs / 1000} s from now`);
          }
          const next = await tx.sale.update({
            where: { id: saleId },
            data: {
              ...(change.name !== undefined ? { name: change.name } : {}),
              ...(change.stock !== undefined ? { stock: change.stock, initialStock: change.stock } : {}),
              ...(change.queueCapacity !== undefined ? { queueCapacity: change.queueCapacity } : {}),
              ...(change.challengeDifficulty !== undefined ? { challengeDifficulty: change.challengeDifficulty } : {}),
              startsAt,
              endsAt,
              prequeueOpensAt,
            },
          });
          // Redis last, inside the transaction: if it refuses (the sale opened meanwhile on its clock, or a
          // ticket exists), PostgreSQL rolls back and nothing changed anywhere.
          const inRedis = await redisState.updateUpcomingSale(saleId, redisChange(change), leadMs);
          if (inRedis === 'STARTED' || inRedis === 'HAS_TICKETS') throw started(saleId);
          return next;
        })
        .catch(async (error: unknown) => {
          // Redis took the change but the commit failed: put Redis back as PostgreSQL still has it.
          if (before && !(error instanceof SeckillError)) {
            const old = before;
            await redisState
              .updateUpcomingSale(
                saleId,
                {
                  ...{
                    name: old.name,
                    stock: old.stock,
                    queueCapacity: old.queueCapacity,
                    startsAtMs: old.startsAt.getTime(),
                    endsAtMs: old.endsAt.getTime(),
                  },
                  ...{ prequeueOpensAtMs: old.prequeueOpensAt?.getTime() ?? null, challengeDifficulty: old.challengeDifficulty },
                },
                leadMs,
              )
              .catch((err: unknown) => options.logger.error({ err, saleId }, 'a failed sale change could not be undone in Redis'));
          }
          throw error;
        });
      return toAdminSale(updated, clock());
    },

    async end(saleId) {
      // Loaded first: ending it in Redis is what stops admission, and a reload running meanwhile
      // could otherwise put the old end back.
      if (!(await options.sales.ensureLoaded(saleId))) throw notFound(saleId);
      const ended = await redisState.endSale(saleId);
      if (ended.kind === 'NOT_LOADED')
        throw new SeckillError('SERVICE_UNAVAILABLE', 'The sale is being reloaded; try again', { retryAfterSeconds: 1 });
      const endedAt = new Date(ended.endsAtMs);
      // The same end in PostgreSQL, for a reload after a Redis loss; idempotent (a retry after a failure here is safe).
      await prisma.$executeRaw`
        UPDATE sales SET ends_at = LEAST(ends_at, ${endedAt}), starts_at = LEAST(starts_at, ${endedAt}), updated_at = now()
        WHERE id = ${saleId}::uuid`;
      const sale = await options.sales.view(saleId);
      if (!sale) throw notFound(saleId);
      options.logger.info({ saleId, endedAt, queuedTickets: ended.queued }, 'sale ended by an operator');
      return { sale, endedAt: sale.endsAt, queuedTickets: ended.queued };
    },
  };
}

function redisChange(change: UpdateSaleBody): UpcomingSaleChange {
  return {
    ...(change.name !== undefined ? { name: change.name } : {}),
    ...(change.stock !== undefined ? { stock: change.stock } : {}),
    ...(change.queueCapacity !== undefined ? { queueCapacity: change.queueCapacity } : {}),
    ...(change.startsAt !== undefined ? { startsAtMs: Date.parse(change.startsAt) } : {}),
    ...(change.endsAt !== undefined ? { endsAtMs: Date.parse(change.endsAt) } : {}),
    ...(change.prequeueOpensAt !== undefined
      ? { prequeueOpensAtMs: change.prequeueOpensAt === null ? null : Date.parse(change.prequeueOpensAt) }
      : {}),
    ...(change.challengeDifficulty !== undefined ? { challengeDifficulty: change.challengeDifficulty } : {}),
  };
}
