import { errorBodySchema } from '@seckill/contracts';
import { z } from 'zod';

export const saleParamsSchema = z.object({ saleId: z.string().max(100) });
export const ticketParamsSchema = z.object({ ticketId: z.string().max(200) });
export const orderParamsSchema = z.object({ orderId: z.string().max(100) });

/** Headers are validated loosely: the schema documents them, other headers pass through. */
export const purchaseHeadersSchema = z.looseObject({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Optional; a purchase is idempotent per (sale, user) anyway: a repeat returns the same ticket'),
});

/** Error responses as documented in OpenAPI; all share the `{ error: { code, message } }` shape. */
export function errorResponses<const Status extends number>(...statuses: Status[]): Record<Status, typeof errorBodySchema> {
  return Object.fromEntries(statuses.map((status) => [status, errorBodySchema])) as Record<Status, typeof errorBodySchema>;
}

export const userSecurity = [{ userJwt: [] }];
export const adminSecurity = [{ adminToken: [] }];
