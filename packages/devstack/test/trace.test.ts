import { randomBytes } from 'node:crypto';
import { createLogger, createMetricsRegistry, createUserTokenSigner, parseConfig, SpanKind } from '@seckill/platform';
import { databaseUrlFromEnv } from '@seckill/db';
import { startInMemoryTracing, testServices, uniqueName, waitFor } from '@seckill/platform/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { freshOrderTopics } from '../src/fresh-topics';
// The three apps inside this one test process, so one in-memory exporter sees all their spans. They
// share nothing but the real Kafka, PostgreSQL, Redis and NATS: the trace context can only travel
// from one to the next in Kafka's and NATS's message headers.
import { buildGateway } from '../../../apps/gateway/src/app';
import { gatewayConfigSchema } from '../../../apps/gateway/src/config';
import { configSchema as workerConfigSchema } from '../../../apps/order-worker/src/config';
import { startOrderWorker, type OrderWorker } from '../../../apps/order-worker/src/worker';
import pushGatewayApp from '../../../apps/push-gateway/src/app';
import { configSchema as pushConfigSchema } from '../../../apps/push-gateway/src/config';

const logger = createLogger({ name: 'trace-test', level: 'silent' });

describe('one purchase is one trace across the processes', () => {
  const tracing = startInMemoryTracing();
  let gateway: FastifyInstance;
  let worker: OrderWorker;
  let push: FastifyInstance;
  let socket: WebSocket | undefined;
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrlFromEnv(),
    REDIS_URL: testServices.redisUrl,
    KAFKA_BROKERS: testServices.kafkaBrokers.join(','),
    NATS_URL: testServices.natsUrl,
    NATS_SUBJECT_PREFIX: uniqueName('trace').replace(/[^A-Za-z0-9_-]/g, '_'),
    AUTH_SECRET: randomBytes(32).toString('hex'),
    ADMIN_TOKEN: randomBytes(24).toString('hex'),
    LOG_LEVEL: 'silent',
    SHED_EVENT_LOOP_DELAY_MS: '0',
    SWAGGER_UI: 'false',
  };

  beforeAll(async () => {
    Object.assign(env, await freshOrderTopics('trace'));
    gateway = await buildGateway({ config: parseConfig(gatewayConfigSchema, env), logger });
    await gateway.ready();
    worker = await startOrderWorker({
      config: parseConfig(workerConfigSchema, { ...env, WORKER_ID: uniqueName('trace-worker') }),
      logger,
      registry: createMetricsRegistry('order-worker'),
    });
    push = Fastify({ logger: false });
    await push.register(pushGatewayApp, {
      config: parseConfig(pushConfigSchema, { ...env, PORT: '0' }),
      nodeName: uniqueName('trace-push'),
    });
    await push.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);

  afterAll(async () => {
    socket?.close();
    await push?.close();
    await worker?.close();
    await gateway?.close();
    await tracing.shutdown();
  });

  it('links the purchase, its Kafka message, the worker, the PostgreSQL write, the NATS event and the push delivery', async () => {
    const created = await gateway.inject({
      method: 'POST',
      url: '/api/admin/sales',
      headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` },
      payload: {
        name: 'traced',
        stock: 5,
        startsAt: new Date(Date.now() - 1_000).toISOString(),
        endsAt: new Date(Date.now() + 600_000).toISOString(),
      },
    });
    const saleId = created.json<{ id: string }>().id;
    const userId = uniqueName('shopper').replace(/[^A-Za-z0-9_-]/g, '-');
    const token = createUserTokenSigner(env.AUTH_SECRET!, { expiresInMs: 600_000 })(userId);

    // The shopper listens on the push node, as the SDK does.
    const address = push.server.address() as { port: number };
    socket = new WebSocket(`ws://127.0.0.1:${address.port}/ws`);
    const pushed: Array<{ type: string; status?: string }> = [];
    socket.on('message', (data) => pushed.push(JSON.parse(String(data)) as { type: string }));
    await new Promise((resolve) => socket!.once('open', resolve));
    socket.send(JSON.stringify({ type: 'auth', token }));
    await waitFor(() => (pushed.some((message) => message.type === 'ready') ? true : undefined));
    tracing.reset();

    const purchase = await gateway.inject({
      method: 'POST',
      url: `/api/sales/${saleId}/orders`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(purchase.statusCode).toBe(202);
    await waitFor(() => (pushed.some((message) => message.type === 'ticket' && message.status === 'SUCCEEDED') ? true : undefined), {
      what: 'the pushed result',
    });
    const deliver = await waitFor(() => tracing.finishedSpans().find((span) => span.name === 'push deliver'), {
      what: 'the push delivery span',
    });

    const trace = tracing.finishedSpans().filter((span) => span.spanContext().traceId === deliver.spanContext().traceId);
    const named = (name: string) => {
      const span = trace.find((candidate) => candidate.name === name);
      if (!span) throw new Error(`no span ${name} in the trace: ${trace.map((s) => s.name).join(', ')}`);
      return span;
    };
    const parentOf = (span: ReturnType<typeof named>) =>
      trace.find((candidate) => candidate.spanContext().spanId === span.parentSpanContext?.spanId)?.name;

    const server = named('POST /api/sales/:saleId/orders');
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.parentSpanContext).toBeUndefined();
    const send = named(`${env.ORDERS_TOPIC} send`);
    expect([send.kind, parentOf(send)]).toEqual([SpanKind.PRODUCER, server.name]);
    const process = named(`${env.ORDERS_TOPIC} process`);
    expect([process.kind, parentOf(process)]).toEqual([SpanKind.CONSUMER, send.name]);
    expect(parentOf(named('postgres write orders'))).toBe(process.name);
    const publish = named(`${env.NATS_SUBJECT_PREFIX}.users publish`);
    expect([publish.kind, parentOf(publish)]).toEqual([SpanKind.PRODUCER, process.name]);
    expect([deliver.kind, parentOf(deliver)]).toEqual([SpanKind.CONSUMER, publish.name]);
    // The worker's batch is a trace of its own, linked to this one.
    const batch = tracing
      .finishedSpans()
      .find((span) => span.name === 'order batch' && span.links.some((link) => link.context.spanId === process.spanContext().spanId));
    expect(batch).toBeDefined();
  }, 60_000);
});
