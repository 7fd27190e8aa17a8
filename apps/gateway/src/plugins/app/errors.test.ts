import { SeckillError } from '@seckill/contracts';
import type { FastifyError } from 'fastify';
import { toErrorResponse } from './errors';

const fastifyError = (code: string, statusCode: number, message = 'boom') =>
  Object.assign(new Error(message), { code, statusCode }) as FastifyError;

describe('toErrorResponse', () => {
  it('keeps the code, status and Retry-After of a domain error', () => {
    expect(toErrorResponse(new SeckillError('QUEUE_FULL', 'full', { retryAfterSeconds: 3 }))).toEqual({
      status: 429,
      code: 'QUEUE_FULL',
      message: 'full',
      retryAfterSeconds: 3,
    });
  });

  it.each([
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'PAYLOAD_TOO_LARGE'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'INVALID_INPUT'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'INVALID_INPUT'],
    ['SOMETHING_ELSE', 404, 'NOT_FOUND'],
  ])('maps %s to %p %s', (code, status, expected) => {
    expect(toErrorResponse(fastifyError(code, status))).toMatchObject({ status, code: expected });
  });

  it('hides the details of an internal error', () => {
    expect(toErrorResponse(new Error('secret connection string'))).toEqual({ status: 500, code: 'INTERNAL', message: 'Internal error' });
  });
});
