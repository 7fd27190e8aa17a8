import type { Span } from '@opentelemetry/api';
import fp from 'fastify-plugin';
import { contextFromHeaders, endSpan, SpanKind, startSpan, tracingEnabled, withSpan } from '../tracing/spans';

declare module 'fastify' {
  interface FastifyRequest {
    traceSpan?: Span;
  }
}

const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * A server span per request (not for probes and scrapes), continuing the caller's trace
 * (`traceparent`) and active while the request is handled, so the spans it starts (Kafka, Redis,
 * PostgreSQL) are its children. Registers nothing when tracing is off.
 */
export default fp(
  async (fastify) => {
    if (!tracingEnabled()) return;
    // Callback style: the rest of the request runs inside `done`, so inside the span's context.
    fastify.addHook('onRequest', (request, _reply, done) => {
      const route = request.routeOptions.url;
      if (!route || UNTRACED.has(route)) return done();
      const span = startSpan(`${request.method} ${route}`, {
        kind: SpanKind.SERVER,
        parent: contextFromHeaders(request.headers),
        attributes: { 'http.request.method': request.method, 'http.route': route },
      });
      if (!span) return done();
      request.traceSpan = span;
      withSpan(span, done);
    });
    fastify.addHook('onResponse', async (request, reply) => {
      request.traceSpan?.setAttribute('http.response.status_code', reply.statusCode);
      endSpan(request.traceSpan, reply.statusCode >= 500 ? new Error(`HTTP ${reply.statusCode}`) : undefined);
    });
  },
  { name: 'request-tracing' },
);
