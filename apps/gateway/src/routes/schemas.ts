import { CHALLENGE_HEADER, CHALLENGE_SOLUTION_HEADER, errorBodySchema } from '@seckill/contracts';
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
  [CHALLENGE_HEADER]: z
    .string()
    .min(1)
    .max(400)
    .optional()
    .describe(
      'A sale with bot friction: the challenge from POST /api/sales/:saleId/challenge (used up by the ticket or pre-queue place it buys)',
    ),
  [CHALLENGE_SOLUTION_HEADER]: z
    .string()
    .regex(/^\d{1,16}$/)
    .optional()
    .describe('Its solution: a decimal number n such that SHA-256("<challenge>.<n>") starts with `difficulty` zero bits'),
});

/** Error responses as documented in OpenAPI; all share the `{ error: { code, message } }` shape. */
export function errorResponses<const Status extends number>(...statuses: Status[]): Record<Status, typeof errorBodySchema> {
  return Object.fromEntries(statuses.map((status) => [status, errorBodySchema])) as Record<Status, typeof errorBodySchema>;
}

export const userSecurity = [{ userJwt: [] }];
export const adminSecurity = [{ adminToken: [] }];
