import { z } from 'zod';

export const MAX_SALE_STOCK = 10_000_000;
/** 2^24 hashes on average: seconds for a browser, far more than a shopper should wait. */
export const MAX_CHALLENGE_DIFFICULTY = 24;

export const createSaleBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    stock: z.number().int().positive().max(MAX_SALE_STOCK),
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.iso.datetime({ offset: true }),
    /** Most tickets waiting at once; defaults to the stock. */
    queueCapacity: z.number().int().positive().max(MAX_SALE_STOCK).optional(),
    /**
     * Opt-in lottery: from this instant until the start, shoppers join a pre-queue, and at the
     * start everyone in it gets a uniformly random place; later arrivals queue behind them.
     */
    prequeueOpensAt: z.iso.datetime({ offset: true }).optional(),
    /**
     * Opt-in bot friction: each purchase needs a proof of work (this many leading zero bits of
     * SHA-256; DEFAULT_CHALLENGE_DIFFICULTY is what we measured) on a single-use challenge bound to
     * the user and the sale, issued only once the sale (or its pre-queue) is open. 0 or absent: off.
     */
    challengeDifficulty: z.number().int().min(0).max(MAX_CHALLENGE_DIFFICULTY).optional(),
  })
  .strict()
  .refine((sale) => Date.parse(sale.endsAt) > Date.parse(sale.startsAt), {
    message: 'endsAt must be after startsAt',
    path: ['endsAt'],
  })
  .refine((sale) => sale.prequeueOpensAt === undefined || Date.parse(sale.prequeueOpensAt) < Date.parse(sale.startsAt), {
    message: 'prequeueOpensAt must be before startsAt',
    path: ['prequeueOpensAt'],
  });
export type CreateSaleBody = z.infer<typeof createSaleBodySchema>;

/** PREQUEUE: the lottery's pre-queue is open (the order is drawn at the start). */
export const saleStateSchema = z.enum(['UPCOMING', 'PREQUEUE', 'ACTIVE', 'SOLD_OUT', 'ENDED']);
export type SaleState = z.infer<typeof saleStateSchema>;

export const saleViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  initialStock: z.number().int(),
  remainingStock: z.number().int(),
  queueCapacity: z.number().int(),
  queueDepth: z.number().int(),
  startsAt: z.string(),
  endsAt: z.string(),
  state: saleStateSchema,
  /** A lottery sale: its pre-queue opens here; the order is drawn at `startsAt`. */
  prequeueOpensAt: z.string().optional(),
  /** Shoppers in the pre-queue (0 before it opens and once drawn). */
  prequeueSize: z.number().int().nonnegative(),
  /** Purchases need a solved challenge of this difficulty (0: none). */
  challengeDifficulty: z.number().int().nonnegative(),
});
export type SaleView = z.infer<typeof saleViewSchema>;
