import { redisKeys, SeckillError, type CreateSaleBody, type SaleState, type SaleView } from '@seckill/contracts';
import type { PrismaClient, Sale } from '@seckill/db';
import type { Redis } from 'ioredis';
import type { Clock } from './clock';
import { defineRedisScript } from './redis-script';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Loads a sale into Redis unless it is there already. The info hash is written last: it is the
// marker the admission script checks, so a half-loaded sale is never admitted against.
const LOAD_SALE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'NX')
redis.call('SET', KEYS[3], ARGV[2], 'NX')
redis.call('HSET', KEYS[1], 'id', ARGV[3], 'name', ARGV[4], 'initialStock', ARGV[5], 'queueCapacity', ARGV[6],
  'startsAtMs', ARGV[7], 'endsAtMs', ARGV[8])
return 1`;

export function saleStateAt(sale: { startsAtMs: number; endsAtMs: number; remainingStock: number }, now: number): SaleState {
  if (now < sale.startsAtMs) return 'UPCOMING';
  if (now >= sale.endsAtMs) return 'ENDED';
  return sale.remainingStock > 0 ? 'ACTIVE' : 'SOLD_OUT';
}

export interface SaleCatalog {
  create(body: CreateSaleBody): Promise<SaleView>;
  /** The sale with its live figures from Redis; undefined when it exists nowhere. */
  view(saleId: string): Promise<SaleView | undefined>;
  /** Make sure the sale is in Redis (reloading it from PostgreSQL); false when it does not exist. */
  ensureLoaded(saleId: string): Promise<boolean>;
}

export function createSaleCatalog(options: { prisma: PrismaClient; redis: Redis; clock: Clock }): SaleCatalog {
  const { prisma, redis, clock } = options;
  const loadSale = defineRedisScript<number>(redis, 'seckillLoadSale', 3, LOAD_SALE_SCRIPT);
  const loading = new Map<string, Promise<boolean>>();

  async function load(sale: Sale, ticketSequenceFloor: number): Promise<void> {
    await loadSale(
      [redisKeys.saleInfo(sale.id), redisKeys.stockTokens(sale.id), redisKeys.ticketSequence(sale.id)],
      [
        sale.stock,
        ticketSequenceFloor,
        sale.id,
        sale.name,
        sale.initialStock,
        sale.queueCapacity,
        sale.startsAt.getTime(),
        sale.endsAt.getTime(),
      ],
    );
  }

  async function reload(saleId: string): Promise<boolean> {
    if (!UUID_PATTERN.test(saleId)) return false;
    const sale = await prisma.sale.findUnique({ where: { id: saleId } });
    if (!sale) return false;
    // Redis lost the sale (flushed, restarted without persistence): stock restarts from what
    // PostgreSQL still has, and numbering restarts past every number that can still be in use
    // (ordered ones, plus at most a full queue and the whole stock issued since), so a new
    // ticket id never collides with an order's.
    const highest = await prisma.order.aggregate({ where: { saleId }, _max: { ticketNumber: true } });
    await load(sale, (highest._max.ticketNumber ?? 0) + sale.queueCapacity + sale.initialStock);
    return true;
  }

  async function ensureLoaded(saleId: string): Promise<boolean> {
    if ((await redis.exists(redisKeys.saleInfo(saleId))) === 1) return true;
    let inProgress = loading.get(saleId);
    if (!inProgress) {
      inProgress = reload(saleId).finally(() => loading.delete(saleId));
      loading.set(saleId, inProgress);
    }
    return inProgress;
  }

  async function readView(saleId: string): Promise<SaleView | undefined> {
    const results = await redis
      .pipeline()
      .hgetall(redisKeys.saleInfo(saleId))
      .get(redisKeys.stockTokens(saleId))
      .zcard(redisKeys.queuedTickets(saleId))
      .exec();
    if (!results) return undefined;
    for (const [error] of results) if (error) throw error;
    const info = results[0]?.[1] as Record<string, string>;
    if (!info.id) return undefined;
    const startsAtMs = Number(info.startsAtMs);
    const endsAtMs = Number(info.endsAtMs);
    const remainingStock = Math.max(0, Number(results[1]?.[1] ?? 0));
    return {
      id: info.id,
      name: info.name ?? '',
      initialStock: Number(info.initialStock),
      remainingStock,
      queueCapacity: Number(info.queueCapacity),
      queueDepth: Number(results[2]?.[1] ?? 0),
      startsAt: new Date(startsAtMs).toISOString(),
      endsAt: new Date(endsAtMs).toISOString(),
      state: saleStateAt({ startsAtMs, endsAtMs, remainingStock }, clock()),
    };
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
        },
      });
      await load(sale, 0);
      const view = await readView(sale.id);
      if (!view) throw new SeckillError('INTERNAL', 'the sale was created but could not be read back');
      return view;
    },

    async view(saleId) {
      if (!UUID_PATTERN.test(saleId)) return undefined;
      const view = await readView(saleId);
      if (view) return view;
      return (await ensureLoaded(saleId)) ? readView(saleId) : undefined;
    },

    ensureLoaded,
  };
}
