import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { setTracingEnabled } from './spans';

export interface Tracing {
  enabled: boolean;
  /** Export what is left and stop (call after the app closed). */
  shutdown(): Promise<void>;
}

/** Tracing is on when an OTLP endpoint is configured (and the standard OTEL_SDK_DISABLED does not say otherwise). */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) && env.OTEL_SDK_DISABLED !== 'true';
}

/**
 * OpenTelemetry for this process: when configured (env, or an exporter given by a test), the SDK
 * is loaded and spans are recorded and exported over OTLP; otherwise nothing is loaded, no module
 * is patched, and every span helper returns at once. Call it before the app's modules load (first
 * import of main.ts), so pg and ioredis can be instrumented.
 */
export function startTracing(options: {
  serviceName: string;
  env?: NodeJS.ProcessEnv;
  exporter?: SpanExporter;
  instrument?: boolean;
}): Tracing {
  const env = options.env ?? process.env;
  if (!options.exporter && !tracingConfigured(env)) return { enabled: false, shutdown: async () => undefined };
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG ?? '1');
  // Required here, not imported: a process without tracing never loads the SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { installTracerProvider } = require('./sdk') as typeof import('./sdk');
  const installed = installTracerProvider({
    serviceName: env.OTEL_SERVICE_NAME ?? options.serviceName,
    ...(options.exporter ? { exporter: options.exporter } : {}),
    sampleRatio: Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : 1,
    instrument: options.instrument ?? true,
  });
  setTracingEnabled(true);
  return {
    enabled: true,
    async shutdown() {
      setTracingEnabled(false);
      await installed.shutdown();
    },
  };
}
