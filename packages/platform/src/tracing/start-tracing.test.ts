import { execFile, execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { tracingConfigured } from './start-tracing';

const packageDir = path.resolve(__dirname, '../..');

/** Run a script in a Node process of its own (tsx, workspace sources); resolves with what it printed. */
function runScript(script: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--conditions=@seckill/source', '--import', 'tsx', '-e', script],
      { cwd: packageDir, env: { ...process.env, ...env }, encoding: 'utf8' },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

describe('startTracing', () => {
  it('is off unless an OTLP endpoint is configured', () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
  });

  it('costs nothing when off: the SDK is never loaded and the helpers return at once', () => {
    // A process of its own: what it loaded is its own require cache.
    const script = `
      const { startTracing } = require('./src/tracing/start-tracing');
      const { startSpan, traceHeaders } = require('./src/tracing/spans');
      const tracing = startTracing({ serviceName: 'off', env: {} });
      const sdkLoaded = Object.keys(require.cache).some((file) => file.includes('sdk-trace') || file.includes('instrumentation'));
      console.log(JSON.stringify({ enabled: tracing.enabled, sdkLoaded, span: startSpan('x') ?? null, headers: traceHeaders(undefined) }));`;
    const output = execFileSync(process.execPath, ['--conditions=@seckill/source', '--import', 'tsx', '-e', script], {
      cwd: packageDir,
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' },
      encoding: 'utf8',
    });
    expect(JSON.parse(output.trim().split('\n').at(-1)!)).toEqual({ enabled: false, sdkLoaded: false, span: null, headers: {} });
  });

  it('exports spans over OTLP (HTTP, protobuf) to the configured endpoint, and carries their context in headers', async () => {
    const received: Array<{ url: string; type: string; body: Buffer }> = [];
    const collector = createServer((request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ url: request.url ?? '', type: request.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    try {
      // A process of its own, as an app: the exporter reads the standard OTEL_EXPORTER_OTLP_* variables.
      const script = `
        const { startTracing } = require('./src/tracing/start-tracing');
        const { startSpan, endSpan, traceHeaders, tracingEnabled } = require('./src/tracing/spans');
        const tracing = startTracing({ serviceName: 'seckill-otlp-test', instrument: false });
        const span = startSpan('checkout-span');
        const headers = traceHeaders(span);
        endSpan(span);
        tracing.shutdown().then(() => console.log(JSON.stringify({ enabled: tracing.enabled && tracingEnabled() === false, headers })));`;
      const output = await runScript(script, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${port}/v1/traces` });
      const result = JSON.parse(output.trim().split('\n').at(-1)!) as { enabled: boolean; headers: Record<string, string> };
      expect(result.enabled).toBe(true);
      expect(result.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ url: '/v1/traces', type: 'application/x-protobuf' });
      const body = received[0]!.body.toString('latin1');
      expect(body).toContain('checkout-span');
      expect(body).toContain('seckill-otlp-test');
      // The exported span is the one whose context the headers carried.
      expect(received[0]!.body.includes(Buffer.from(result.headers.traceparent!.split('-')[1]!, 'hex'))).toBe(true);
    } finally {
      collector.close();
    }
  });
});
