import { randomUUID } from 'node:crypto';
import { formatTicketId, userTicketSubject } from '@seckill/contracts';
import type { NatsConnection } from '@seckill/platform';
import {
  connect,
  connectReady,
  openNats,
  signerFor,
  startInProcessNode,
  testEnv,
  ticketEvent,
  waitFor,
  type PushNode,
  type TestClient,
} from './helpers';

/** The socket under a `ws` client; pausing it makes the client stop reading (and answering pings). */
function stopReading(client: TestClient): void {
  (client.socket as unknown as { _socket: { pause(): void } })._socket.pause();
}

async function metricsOf(node: { url: string }): Promise<string> {
  return (await fetch(node.url.replace('ws://', 'http://').replace(/\/ws$/, '/metrics'))).text();
}

describe('session hardening (one node with small limits)', () => {
  const env = testEnv({ HEARTBEAT_MS: '100', SLOW_CONSUMER_BYTES: '65536' });
  const sign = signerFor(env);
  let node: PushNode;
  const nodes: PushNode[] = [];
  let nats: NatsConnection;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    nats = await openNats();
    node = await startInProcessNode(env);
    nodes.push(node);
  });
  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    await Promise.all(nodes.map((started) => started.close()));
    await nats.close();
  });

  it('terminates a socket that stops answering heartbeats and keeps the live ones', async () => {
    const healthy = await connectReady(node.url, sign(`u-${randomUUID()}`));
    const dead = await connectReady(node.url, sign(`u-${randomUUID()}`));
    clients.push(healthy, dead);
    stopReading(dead);

    await waitFor(async () => ((await metricsOf(node)).match(/seckill_push_closes_total\{code="1006"[^}]*\} [1-9]/) ? true : undefined), {
      what: 'the dead socket to be terminated',
    });
    expect(healthy.socket.readyState).toBe(healthy.socket.OPEN);
    expect(await metricsOf(node)).toMatch(/seckill_push_sessions\{[^}]*\} 1\n/);
  });

  it('closes a slow consumer with 4008 once its send buffer passes SLOW_CONSUMER_BYTES', async () => {
    // Its own node with slow heartbeats, so the missed-pong rule cannot close the paused client first.
    const slowEnv = { ...env, HEARTBEAT_MS: '60000' };
    const slowNode = await startInProcessNode(slowEnv);
    nodes.push(slowNode);
    const userId = `u-${randomUUID()}`;
    const slow = await connectReady(slowNode.url, signerFor(slowEnv)(userId));
    clients.push(slow);
    stopReading(slow);
    const saleId = randomUUID();
    const padding = 'x'.repeat(3_000);
    // Enough to fill the kernel's loopback buffers and then the server's own.
    for (let i = 1; i <= 20_000; i += 1) {
      nats.publish(
        userTicketSubject(userId, env.NATS_SUBJECT_PREFIX),
        JSON.stringify({ ...ticketEvent(formatTicketId(saleId, i)), padding }),
      );
      if (i % 500 === 0) await nats.flush();
    }
    await waitFor(
      async () => ((await metricsOf(slowNode)).match(/seckill_push_closes_total\{code="4008"[^}]*\} [1-9]/) ? true : undefined),
      {
        what: 'the slow consumer to be closed',
      },
    );
  });

  it('while draining, reports not ready and refuses new sessions, then closes stragglers', async () => {
    const drainEnv = { ...env, HEARTBEAT_MS: '60000', DRAIN_TIMEOUT_MS: '1000' };
    const draining = await startInProcessNode(drainEnv);
    const http = draining.url.replace('ws://', 'http://').replace(/\/ws$/, '');
    const straggler = await connectReady(draining.url, signerFor(drainEnv)(`u-${randomUUID()}`));
    clients.push(straggler);
    stopReading(straggler); // never answers the 1012 close frame, so the drain has to wait for it

    const closing = draining.close();
    expect((await fetch(`${http}/readyz`)).status).toBe(503);
    const late = connect(draining.url, { token: signerFor(drainEnv)(`u-${randomUUID()}`) });
    clients.push(late);
    await expect(late.opened).rejects.toThrow();
    const started = Date.now();
    await closing;
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('holds one NATS subscription per connected user and drops it with the last session', async () => {
    const countingEnv = { ...env, HEARTBEAT_MS: '60000' };
    const counting = await startInProcessNode(countingEnv);
    nodes.push(counting);
    const sign = signerFor(countingEnv);
    const subscribedUsers = async () => Number(/seckill_push_subscribed_users\{[^}]*\} (\d+)/.exec(await metricsOf(counting))?.[1]);
    const [alice, bob] = [`u-${randomUUID()}`, `u-${randomUUID()}`];
    const tabs = [
      await connectReady(counting.url, sign(alice)),
      await connectReady(counting.url, sign(alice)),
      await connectReady(counting.url, sign(bob)),
    ];
    clients.push(...tabs);
    expect(await subscribedUsers()).toBe(2);

    tabs[0]!.close();
    await tabs[0]!.closed;
    await waitFor(async () => ((await metricsOf(counting)).match(/seckill_push_sessions\{[^}]*\} 2\n/) ? true : undefined));
    expect(await subscribedUsers()).toBe(2);

    tabs[1]!.close();
    await waitFor(async () => ((await subscribedUsers()) === 1 ? true : undefined), { what: "alice's subscription to go" });

    // Alice's subject is no longer delivered on this node; Bob's still is.
    nats.publish(userTicketSubject(alice, env.NATS_SUBJECT_PREFIX), JSON.stringify(ticketEvent(formatTicketId(randomUUID(), 1))));
    nats.publish(userTicketSubject(bob, env.NATS_SUBJECT_PREFIX), JSON.stringify(ticketEvent(formatTicketId(randomUUID(), 2))));
    await tabs[2]!.waitForMessage((message) => message.type === 'ticket');
    expect(await metricsOf(counting)).toMatch(/seckill_push_deliveries_total\{source="live"[^}]*\} 1\n/);
  });

  describe('a session lives as long as its token', () => {
    it('is closed with 4004 when its token expires', async () => {
      const shortLived = signerFor(env, { expiresInMs: 2_000 });
      const client = await connectReady(node.url, shortLived(`u-${randomUUID()}`));
      clients.push(client);
      const ready = client.messages[0]!;
      expect(ready.expiresAt).toEqual(expect.any(Number));
      const { code } = await client.closed;
      expect(code).toBe(4004);
      expect(Date.now()).toBeGreaterThanOrEqual((ready.expiresAt as number) - 50);
    });

    it("goes on with a fresh token of the same user sent on the open socket, and ends with anyone else's", async () => {
      const userId = `u-${randomUUID()}`;
      const client = await connectReady(node.url, signerFor(env, { expiresInMs: 2_000 })(userId));
      clients.push(client);
      client.socket.send(JSON.stringify({ type: 'auth', token: signerFor(env, { expiresInMs: 60_000 })(userId) }));
      const renewed = await client.waitForMessage((message) => message.type === 'reauthenticated');
      expect(renewed.expiresAt as number).toBeGreaterThan(Date.now() + 50_000);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(client.socket.readyState).toBe(client.socket.OPEN);
      // Still delivering: a live event arrives.
      const ticketId = formatTicketId(randomUUID(), 1);
      nats.publish(userTicketSubject(userId, env.NATS_SUBJECT_PREFIX), JSON.stringify(ticketEvent(ticketId)));
      await client.waitForMessage((message) => message.ticketId === ticketId);

      client.socket.send(JSON.stringify({ type: 'auth', token: sign(`u-${randomUUID()}`) }));
      expect((await client.closed).code).toBe(4001);
    });
  });
});
