import { errorBody, errorCodes, SeckillError, type ErrorCode } from '@seckill/contracts';
import type { FastifyError } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';

const codeByFastifyError: Partial<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'INVALID_INPUT',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_INPUT',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_INPUT',
};

const codeByStatus: Partial<Record<number, ErrorCode>> = {
  400: 'INVALID_INPUT',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/** Turns any error into the `{ error: { code, message } }` shape with a code from the contracts. */
export function toErrorResponse(error: FastifyError | SeckillError | Error): {
  status: number;
  code: ErrorCode;
  message: string;
  retryAfterSeconds?: number;
} {
  if (error instanceof SeckillError) {
    return {
      status: error.httpStatus,
      code: error.code,
      message: error.message,
      ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    return { status: 400, code: 'INVALID_INPUT', message: error.message };
  }
  const fastifyError = error as FastifyError;
  const status = fastifyError.statusCode ?? 500;
  if (status >= 500 || isResponseSerializationError(error)) {
    return { status: 500, code: 'INTERNAL', message: 'Internal error' };
  }
  const code = codeByFastifyError[fastifyError.code] ?? codeByStatus[status] ?? 'INVALID_INPUT';
  return { status, code, message: error.message };
}

export default fp(
  async (fastify) => {
    fastify.setErrorHandler((error: FastifyError | Error, request, reply) => {
      const response = toErrorResponse(error);
      if (response.status >= 500 && response.code === 'INTERNAL') request.log.error({ err: error }, 'request failed');
      if (response.retryAfterSeconds !== undefined) void reply.header('retry-after', String(response.retryAfterSeconds));
      return reply.code(response.status).send(errorBody(response.code, response.message));
    });

    fastify.setNotFoundHandler((request, reply) =>
      reply.code(errorCodes.NOT_FOUND.httpStatus).send(errorBody('NOT_FOUND', `No route ${request.method} ${request.url}`)),
    );
  },
  { name: 'errors' },
);
