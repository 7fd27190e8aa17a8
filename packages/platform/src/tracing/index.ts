export {
  contextFromHeaders,
  contextWithSpan,
  endSpan,
  ROOT_CONTEXT,
  SpanKind,
  startSpan,
  traceHeaders,
  tracingEnabled,
  withSpan,
  type Context,
  type Span,
} from './spans';
export { startTracing, tracingConfigured, type Tracing } from './start-tracing';
