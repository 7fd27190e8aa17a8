import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrismaClient, databaseUrlFromEnv } from '@seckill/db';
import { createUserTokenSigner } from '@seckill/platform';
import { uniqueName, waitFor } from '@seckill/platform/testing';
import WebSocket from 'ws';
import { createSale, freshOrderTopics, startStack, type AppRestart, type Stack } from '../src';

/** A stand-in OpenTelemetry collector: keeps every OTLP export (protobuf bodies) it receives. */
async function startCollector() {
  const exports: Buffer[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      exports.push(Buffer.concat(chunks));
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports, close: () => server.close() };
}

// One order end to end through real processes: gateway -> Kafka -> order-worker ->
// PostgreSQL, Redis and NATS -> push-gateway -> the shopper's WebSocket. Tracing is on (OTLP to a
// collector of the test's), as it would be in production.
describe('a purchase, end to end', () => {
  let stack: Stack;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  const supervised: AppRestart[] = [];
  const prisma = createPrismaClient({ databaseUrl: databaseUrlFromEnv() });

  beforeAll(async () => {
    collector = await startCollector();
    stack = await startStack({
      basePorts: { gateway: 13000, pushGateway: 13001, worker: 13100 },
      env: {
        ...(await freshOrderTopics('e2e')),
        NATS_SUBJECT_PREFIX: uniqueName('e2e'),
        LOG_LEVEL: 'warn',
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      },
      supervise: { restartAfterMs: 100, onRestart: (restart) => supervised.push(restart) },
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    collector?.close();
    await prisma.$disconnect();
  });

  it('pushes the result to the shopper and records the order', async () => {
    const gatewayUrl = stack.gatewayUrls[0]!;
    const adminToken = stack.env.ADMIN_TOKEN!;
    const token = createUserTokenSigner(stack.env.AUTH_SECRET!)(`e2e-${randomUUID()}`);

    const sale = await createSale(gatewayUrl, adminToken, { name: 'e2e sale', stock: 5 });

    const socket = new WebSocket(stack.pushUrls[0]!);
    const messages: Array<Record<string, unknown>> = [];
    socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ type: 'auth', token }));
    await waitFor(() => messages.find((m) => m.type === 'ready'), { what: 'the push session to be ready' });

    // The shopper's side of the trace (a traced client or load balancer would send this).
    const traceId = randomBytes(16);
    const buyResponse = await fetch(`${gatewayUrl}/api/sales/${sale.id}/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, traceparent: `00-${traceId.toString('hex')}-${randomBytes(8).toString('hex')}-01` },
    });
    expect(buyResponse.status).toBe(202);
    const receipt = (await buyResponse.json()) as { ticketId: string; status: string };
    expect(receipt.status).toBe('QUEUED');

    const pushed = await waitFor(
      () => messages.find((m) => m.type === 'ticket' && m.ticketId === receipt.ticketId && m.status === 'SUCCEEDED'),
      { what: 'the pushed result', timeoutMs: 30_000 },
    );
    socket.close();

    const polled = (await (
      await fetch(`${gatewayUrl}/api/tickets/${receipt.ticketId}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { status: string; orderId: string };
    expect(polled).toMatchObject({ status: 'SUCCEEDED', orderId: pushed.orderId });

    const order = await prisma.order.findUnique({ where: { ticketId: receipt.ticketId } });
    expect(order).toMatchObject({ id: pushed.orderId, saleId: sale.id, status: 'PENDING_PAYMENT' });
    expect((await prisma.sale.findUnique({ where: { id: sale.id } }))?.stock).toBe(4);

    // Each process exported its part of the purchase's trace over OTLP (in batches, every few seconds).
    for (const service of ['seckill-gateway', 'seckill-order-worker', 'seckill-push-gateway']) {
      await waitFor(() => (collector.exports.some((body) => body.includes(service) && body.includes(traceId)) ? true : undefined), {
        what: `${service}'s spans of the purchase at the collector`,
        timeoutMs: 20_000,
      });
    }
  }, 60_000);

  it('starts a killed app again on its port, and one that died on its own (a supervisor)', async () => {
    const killed = await stack.kill('gateway-1', { restartAfterMs: 200 });
    expect(killed).toMatchObject({ name: 'gateway-1', cause: 'killed', signal: 'SIGKILL' });
    expect(killed.readyAt).toBeGreaterThanOrEqual(killed.restartedAt!);
    expect(killed.restartedAt! - killed.exitedAt).toBeGreaterThanOrEqual(200);
    expect((await fetch(`${stack.gatewayUrls[0]}/readyz`)).status).toBe(200);

    const node = stack.processes.find((proc) => proc.name === 'push-gateway-1')!;
    node.child.kill('SIGKILL');
    const restarted = await waitFor(() => supervised.find((r) => r.name === 'push-gateway-1'), {
      what: 'the supervisor to restart the push node',
      timeoutMs: 60_000,
    });
    expect(restarted).toMatchObject({ cause: 'exited', signal: 'SIGKILL', pid: node.child.pid });
    expect(restarted.readyAt).toBeDefined();
    expect(stack.processes.find((proc) => proc.name === 'push-gateway-1')?.child.pid).toBe(restarted.newPid);
  }, 90_000);
});
