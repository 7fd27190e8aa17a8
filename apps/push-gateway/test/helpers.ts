import { randomBytes } from 'node:crypto';
import { pushProtocols, PUSH_PATH, type TicketEvent } from '@seckill/contracts';
import { startApp, stopProcess, waitForOutput, type AppProcess } from '@seckill/devstack';
import { databaseUrlFromEnv } from '@seckill/db';
import { connectNats, createUserTokenSigner, parseConfig, type NatsConnection, type RedisClient } from '@seckill/platform';
import { keysMatching, testServices, uniqueName, waitFor } from '@seckill/platform/testing';
import { redisKeys } from '@seckill/redis-state';
import Fastify, { type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import WebSocket from 'ws';
import pushGatewayApp from '../src/app';
import { configSchema, type PushConfig } from '../src/config';

/** Env of one test run: a fresh secret and NATS subject prefix, so parallel runs never cross. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    AUTH_SECRET: randomBytes(24).toString('hex'),
    NATS_SUBJECT_PREFIX: uniqueName('test').replace(/[^A-Za-z0-9_-]/g, '_'),
    REDIS_URL: testServices.redisUrl,
    DATABASE_URL: databaseUrlFromEnv(),
    NATS_URL: testServices.natsUrl,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...overrides,
  };
}

export function signerFor(env: Record<string, string>, options: { expiresInMs?: number } = {}) {
  return createUserTokenSigner(env.AUTH_SECRET!, options);
}

export interface PushNode {
  url: string;
  close(): Promise<void>;
}

/**
 * A push node inside this process (port 0), built as main.ts builds it; its connections (`nats`,
 * `redis`) are visible on `fastify` for the tests.
 */
export async function startInProcessNode(
  env: Record<string, string>,
): Promise<PushNode & { fastify: FastifyInstance; config: PushConfig }> {
  const config = parseConfig(configSchema, { ...env, PORT: '0' });
  const fastify = Fastify({ logger: false });
  await fastify.register(fp(pushGatewayApp), { config, nodeName: uniqueName('push-test') });
  const address = await fastify.listen({ port: 0, host: '127.0.0.1' });
  return { url: address.replace('http', 'ws') + PUSH_PATH, fastify, config, close: () => fastify.close() };
}

export interface ChildNode extends PushNode {
  process: AppProcess;
  httpUrl: string;
}

/** A push node as a real process (src/main.ts under tsx), for SIGKILL and SIGTERM. */
export async function startChildNode(env: Record<string, string>): Promise<ChildNode> {
  // Port 0: the node says where it listens (an `info` line).
  const node = startApp({ app: 'push-gateway', port: 0, mode: 'source', env: { ...env, LOG_LEVEL: 'info' } });
  const [, httpUrl] = await waitForOutput(node, /Server listening at (http:\/\/127\.0\.0\.1:\d+)/, 20_000);
  return {
    process: node,
    httpUrl: httpUrl!,
    url: httpUrl!.replace('http', 'ws') + PUSH_PATH,
    close: async () => {
      await stopProcess(node, { signal: 'SIGKILL' });
    },
  };
}

export interface TestClient {
  socket: WebSocket;
  messages: Array<Record<string, unknown>>;
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the first message (already received or future) matching `predicate`. */
  waitForMessage(predicate: (message: Record<string, unknown>) => boolean, what?: string): Promise<Record<string, unknown>>;
  tickets(): TicketEvent[];
  close(): void;
}

export function connect(
  url: string,
  options: { token?: string; protocolToken?: string; origin?: string; protocols?: string[] } = {},
): TestClient {
  const protocols = options.protocols ?? (options.protocolToken ? pushProtocols(options.protocolToken) : undefined);
  const socket = new WebSocket(url, protocols, options.origin ? { origin: options.origin } : {});
  const messages: Array<Record<string, unknown>> = [];
  socket.on('message', (data) => messages.push(JSON.parse(data.toString()) as Record<string, unknown>));
  socket.on('error', () => undefined); // failures show up as `closed` or `opened` rejections
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => {
      if (options.token) socket.send(JSON.stringify({ type: 'auth', token: options.token }));
      resolve();
    });
    socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    socket.once('error', reject);
  });
  opened.catch(() => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return {
    socket,
    messages,
    opened,
    closed,
    waitForMessage: (predicate, what) =>
      waitFor(() => messages.find(predicate), { timeoutMs: 10_000, intervalMs: 10, what: what ?? 'a push message' }),
    tickets: () => messages.filter((message) => message.type === 'ticket') as unknown as TicketEvent[],
    close: () => socket.close(),
  };
}

export async function connectReady(url: string, token: string): Promise<TestClient> {
  const client = connect(url, { token });
  await client.waitForMessage((message) => message.type === 'ready', 'ready');
  return client;
}

export function ticketEvent(ticketId: string, overrides: Partial<TicketEvent> = {}): TicketEvent {
  return {
    type: 'ticket',
    ticketId,
    saleId: ticketId.split('.')[0]!,
    status: 'SUCCEEDED',
    orderId: `order-${ticketId}`,
    at: Date.now(),
    ...overrides,
  };
}

export async function openNats(): Promise<NatsConnection> {
  return connectNats({ url: testServices.natsUrl, name: uniqueName('push-test-publisher') });
}

/** Delete a sale's keys and its shoppers' ticket indexes, one key per command (the tests also run on a Redis Cluster). */
export async function deleteSaleKeys(redis: RedisClient, saleId: string, userIds: readonly string[]): Promise<void> {
  const keys = await keysMatching(redis, `${redisKeys.saleTag(saleId)}*`);
  await Promise.all([...keys, ...userIds.map((userId) => redisKeys.userTickets(userId))].map((key) => redis.del(key)));
}

export { uniqueName, waitFor, testServices };
