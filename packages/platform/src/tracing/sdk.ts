import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';

export interface TracerSetup {
  serviceName: string;
  /** Tests: spans go here at once. Otherwise OTLP over HTTP (protobuf), configured by the standard OTEL_EXPORTER_OTLP_* variables, in batches. */
  exporter?: SpanExporter;
  /** Share of new traces recorded (a trace started upstream keeps its caller's decision). */
  sampleRatio: number;
  /** Patch pg and ioredis for their own spans (the modules must not be loaded yet). */
  instrument: boolean;
}

/** Loaded only when tracing is on: the OpenTelemetry SDK as this process's global tracer provider. */
export function installTracerProvider(setup: TracerSetup): { shutdown(): Promise<void> } {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': setup.serviceName, 'service.namespace': 'seckill' }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(setup.sampleRatio) }),
    spanProcessors: [
      setup.exporter
        ? new SimpleSpanProcessor({ exporter: setup.exporter })
        : new BatchSpanProcessor({ exporter: new OTLPTraceExporter() }),
    ],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  const unregister = setup.instrument
    ? registerInstrumentations({
        instrumentations: [new PgInstrumentation({ requireParentSpan: true }), new IORedisInstrumentation({ requireParentSpan: true })],
      })
    : () => undefined;
  return {
    async shutdown() {
      unregister();
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
