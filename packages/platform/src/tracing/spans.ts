import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';

export { ROOT_CONTEXT, SpanKind, type Context, type Span };

let enabled = false;

/** Whether this process records spans (set by `startTracing`); every helper is a no-op otherwise. */
export function tracingEnabled(): boolean {
  return enabled;
}

/** @internal Called once a tracer provider is installed (or removed, in tests). */
export function setTracingEnabled(value: boolean): void {
  enabled = value;
}

const tracer = () => trace.getTracer('seckill');

/** A span under `parent` (the active context by default); undefined when tracing is off, at no cost. */
export function startSpan(
  name: string,
  options: { kind?: SpanKind; parent?: Context; attributes?: Attributes; startTime?: number; links?: Link[] } = {},
): Span | undefined {
  if (!enabled) return undefined;
  return tracer().startSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      ...(options.attributes ? { attributes: options.attributes } : {}),
      ...(options.startTime !== undefined ? { startTime: options.startTime } : {}),
      ...(options.links ? { links: options.links } : {}),
    },
    options.parent ?? context.active(),
  );
}

/** End a span, marking it failed when `error` is given. */
export function endSpan(span: Span | undefined, error?: unknown, endTime?: number): void {
  if (!span) return;
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end(endTime);
}

/** Run `work` with `span` as the active span (so spans it starts are its children). */
export function withSpan<T>(span: Span | undefined, work: () => T): T {
  return span ? context.with(trace.setSpan(context.active(), span), work) : work();
}

/** The W3C trace context of `span` as message headers (`traceparent`, `tracestate`); empty when tracing is off. */
export function traceHeaders(span: Span | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (span) propagation.inject(trace.setSpan(ROOT_CONTEXT, span), headers);
  return headers;
}

/** Header values as Kafka (Buffer, string or arrays) or NATS (a `get` method) carry them. */
type HeaderSource = Record<string, unknown> | { get(name: string): string } | undefined;

function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') return (headers as { get(name: string): string }).get(name) || undefined;
  const value = (headers as Record<string, unknown>)[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === null ? undefined : String(first);
}

/** The context a message's headers carry, to parent the spans of its processing (the root context without any). */
export function contextFromHeaders(headers: HeaderSource): Context {
  if (!enabled) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, headers, {
    get: (carrier, key) => headerValue(carrier, key),
    keys: (carrier) =>
      carrier && typeof (carrier as { keys?: unknown }).keys === 'function'
        ? [...(carrier as { keys(): Iterable<string> }).keys()]
        : Object.keys(carrier ?? {}),
  });
}

/** A span's context as a parent for other spans, or a link. */
export function contextWithSpan(span: Span): Context {
  return trace.setSpan(ROOT_CONTEXT, span);
}
