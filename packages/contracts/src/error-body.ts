import { z } from 'zod';
import { errorCodes, type ErrorCode } from './errors';

/** The `{ error }` shape as a schema, for response validation and the OpenAPI document. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
  }),
});
