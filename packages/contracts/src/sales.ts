import { z } from 'zod';

export const MAX_SALE_STOCK = 10_000_000;

export const createSaleBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    stock: z.number().int().positive().max(MAX_SALE_STOCK),
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.iso.datetime({ offset: true }),
    /** Most tickets waiting at once; defaults to the stock. */
    queueCapacity: z.number().int().positive().max(MAX_SALE_STOCK).optional(),
  })
  .strict()
  .refine((sale) => Date.parse(sale.endsAt) > Date.parse(sale.startsAt), {
    message: 'endsAt must be after startsAt',
    path: ['endsAt'],
  });
export type CreateSaleBody = z.infer<typeof createSaleBodySchema>;

export const saleStateSchema = z.enum(['UPCOMING', 'ACTIVE', 'SOLD_OUT', 'ENDED']);
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
});
export type SaleView = z.infer<typeof saleViewSchema>;
