import { SeckillError, type CreateSaleBody, type SaleState, type SaleView } from '@seckill/contracts';
import { listHeldOutcomesOfSale, type PrismaClient, type Sale } from '@seckill/db';
import type { RedisState, SaleRuntime } from '@seckill/redis-state';
import type { Clock } from './clock';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function saleStateAt(
  sale: { startsAtMs: number; endsAtMs: number; remainingStock: number; prequeueOpensAtMs?: number | undefined },
  now: number,
): SaleState {
  if (now < sale.startsAtMs) return sale.prequeueOpensAtMs !== undefined && now >= sale.prequeueOpensAtMs ? 'PREQUEUE' : 'UPCOMING';
  if (now >= sale.endsAtMs) return 'ENDED';
  return sale.remainingStock > 0 ? 'ACTIVE' : 'SOLD_OUT';
}

export interface SaleCatalog {
  create(body: CreateSaleBody): Promise<SaleView>;
  /** The sale's figures in Redis (loading it if Redis lost it); undefined when it exists nowhere. */
  runtime(saleId: string): Promise<SaleRuntime | undefined>;
  /** The sale with its live figures from Redis; undefined when it exists nowhere. */
  view(saleId: string): Promise<SaleView | undefined>;
  /** Make sure the sale is in Redis (reloading it from PostgreSQL); false when it does not exist. */
  ensureLoaded(saleId: string): Promise<boolean>;
}

export function createSaleCatalog(options: {
  prisma: PrismaClient;
  redisState: Pick<RedisState, 'loadSale' | 'readSale' | 'saleLoaded' | 'restoreTickets' | 'indexUserTickets'>;
  clock: Clock;
  /** The sale was reloaded after a Redis loss and recovers before it admits again. */
  onReloaded?: (saleId: string) => void;
}): SaleCatalog {
  const { prisma, redisState, clock } = options;
  const loading = new Map<string, Promise<boolean>>();

  async function load(sale: Sale, ticketNumberFloor: number, recoveringSinceMs?: number): Promise<void> {
    await redisState.loadSale({
      ...(recoveringSinceMs === undefined ? {} : { recoveringSinceMs }),
      id: sale.id,
      name: sale.name,
      stock: sale.stock,
      initialStock: sale.initialStock,
      queueCapacity: sale.queueCapacity,
      startsAtMs: sale.startsAt.getTime(),
      endsAtMs: sale.endsAt.getTime(),
      epoch: sale.ticketEpoch,
      ticketNumberFloor,
      challengeDifficulty: sale.challengeDifficulty,
      ...(sale.prequeueOpensAt ? { prequeueOpensAtMs: sale.prequeueOpensAt.getTime() } : {}),
    });
  }

  async function reload(saleId: string): Promise<boolean> {
    if (!UUID_PATTERN.test(saleId)) return false;
    // Redis lost the sale (flushed, restarted without persistence). A new ticket epoch, taken
    // with the stock under the sale's row lock: tickets issued from now on never share an id with
    // one still in flight, and the stock tokens start from exactly what PostgreSQL can sell at that
    // epoch (the worker accounts for older tickets ordered later, by their orders' stock epoch).
    // The decided tickets are read under the same lock, so each restored order is one the count
    // already took off (a later one is the worker's to account for).
    const reloaded = await prisma.$transaction(async (tx) => {
      const [sale] = await tx.$queryRaw<Sale[]>`
        UPDATE sales SET ticket_epoch = ticket_epoch + 1, updated_at = now() WHERE id = ${saleId}::uuid
        RETURNING id::text AS id, name, stock, initial_stock AS "initialStock", queue_capacity AS "queueCapacity",
                  starts_at AS "startsAt", ends_at AS "endsAt", ticket_epoch AS "ticketEpoch",
                  prequeue_opens_at AS "prequeueOpensAt", challenge_difficulty AS "challengeDifficulty",
                  created_at AS "createdAt", updated_at AS "updatedAt"`;
      return sale ? { sale, outcomes: await listHeldOutcomesOfSale(tx, saleId) } : undefined;
    });
    if (!reloaded) return false;
    const { sale } = reloaded;
    // Numbers continue above every one PostgreSQL knows plus what can still be in flight, so
    // the counter keeps reading like a bank's.
    // Decided tickets first (the sale is not admitted against until loaded): their buyers hold them again.
    const held = reloaded.outcomes.flatMap((ticket) => (ticket.status === 'CANCELLED' ? [] : [{ ...ticket, status: ticket.status }]));
    // Another reload at a later epoch loads it (or already has): this one's count is older.
    if (!(await redisState.restoreTickets(saleId, sale.ticketEpoch, held))) return true;
    await redisState.indexUserTickets(held);
    const highest = held.reduce((max, ticket) => Math.max(max, ticket.ticketNumber), 0);
    // Admission waits until the tickets from before the loss are decided (sale-recovery.ts).
    await load(sale, highest + sale.queueCapacity + sale.initialStock, clock());
    options.onReloaded?.(saleId);
    return true;
  }

  async function ensureLoaded(saleId: string): Promise<boolean> {
    if (await redisState.saleLoaded(saleId)) return true;
    let inProgress = loading.get(saleId);
    if (!inProgress) {
      inProgress = reload(saleId)
        .catch((error: unknown) => {
          // PostgreSQL down or stalled: nothing can be said about the sale now, not that it does not exist.
          throw new SeckillError('SERVICE_UNAVAILABLE', 'The sale cannot be looked up right now; try again', {
            retryAfterSeconds: 1,
            cause: error,
          });
        })
        .finally(() => loading.delete(saleId));
      loading.set(saleId, inProgress);
    }
    return inProgress;
  }

  async function readView(saleId: string): Promise<SaleView | undefined> {
    const sale = await redisState.readSale(saleId);
    return sale && toView(sale);
  }

  function toView(sale: SaleRuntime): SaleView {
    const remainingStock = Math.max(0, sale.stockTokens);
    return {
      id: sale.id,
      name: sale.name,
      initialStock: sale.initialStock,
      remainingStock,
      queueCapacity: sale.queueCapacity,
      queueDepth: sale.queueDepth,
      startsAt: new Date(sale.startsAtMs).toISOString(),
      endsAt: new Date(sale.endsAtMs).toISOString(),
      state: saleStateAt({ ...sale, remainingStock }, clock()),
      ...(sale.prequeueOpensAtMs !== undefined ? { prequeueOpensAt: new Date(sale.prequeueOpensAtMs).toISOString() } : {}),
      prequeueSize: sale.prequeueSize,
      challengeDifficulty: sale.challengeDifficulty,
    };
  }

  async function runtime(saleId: string): Promise<SaleRuntime | undefined> {
    if (!UUID_PATTERN.test(saleId)) return undefined;
    const sale = await redisState.readSale(saleId);
    if (sale) return sale;
    return (await ensureLoaded(saleId)) ? redisState.readSale(saleId) : undefined;
  }

  return {
    async create(body) {
      const sale = await prisma.sale.create({
        data: {
          name: body.name,
          stock: body.stock,
          initialStock: body.stock,
          queueCapacity: body.queueCapacity ?? body.stock,
          startsAt: new Date(body.startsAt),
          endsAt: new Date(body.endsAt),
          challengeDifficulty: body.challengeDifficulty ?? 0,
          ...(body.prequeueOpensAt ? { prequeueOpensAt: new Date(body.prequeueOpensAt) } : {}),
        },
      });
      await load(sale, 0);
      const view = await readView(sale.id);
      if (!view) throw new SeckillError('INTERNAL', 'the sale was created but could not be read back');
      return view;
    },

    async view(saleId) {
      const sale = await runtime(saleId);
      return sale && toView(sale);
    },

    runtime,

    ensureLoaded,
  };
}
