import { pushCloseCodes } from '@seckill/contracts';
import { createPushConnection, type ConnectionState, type PushConnectionOptions } from './push-connection';
import { acceptLatestSocket, useFakeTimersAndSockets, FakeWebSocket } from './testing/fakes';

const urls = ['ws://node-1/ws', 'ws://node-2/ws', 'ws://node-3/ws'];

function connect(overrides: Partial<PushConnectionOptions> = {}) {
  const states: ConnectionState[] = [];
  const messages: unknown[] = [];
  const connection = createPushConnection({
    urls,
    WebSocket: FakeWebSocket,
    getToken: async () => 'jwt-1',
    onMessage: (message) => messages.push(message),
    onState: (state) => states.push(state),
    reconnect: { initialMs: 500, maxMs: 8_000 },
    readyTimeoutMs: 5_000,
    heartbeatIntervalMs: 0,
    random: () => 0.5,
    ...overrides,
  });
  return { connection, states, messages };
}

useFakeTimersAndSockets();

describe('push connection', () => {
  it('authenticates with its first message and forwards what follows ready', async () => {
    const { connection, messages } = connect();
    const socket = await acceptLatestSocket();
    expect(socket.sent).toEqual([{ type: 'auth', token: 'jwt-1' }]);
    expect(connection.state).toMatchObject({ status: 'ready', url: socket.url, attempt: 0 });
    socket.receive({ type: 'ticket', ticketId: 's.1', status: 'SUCCEEDED' });
    expect(messages).toEqual([{ type: 'ticket', ticketId: 's.1', status: 'SUCCEEDED' }]);
    connection.close();
  });

  it('starts on the node the random source picks, spreading users over nodes', () => {
    const picks = [0, 0.4, 0.9].map((value) => {
      const { connection } = connect({ random: () => value });
      connection.close();
      return FakeWebSocket.latest().url;
    });
    expect(picks).toEqual(urls);
  });

  it('moves to another node at once when its node drains (1012)', async () => {
    const { connection } = connect({ random: () => 0 });
    const first = await acceptLatestSocket();
    first.drop(pushCloseCodes.SERVICE_RESTART);
    expect(connection.state).toMatchObject({ status: 'reconnecting', closeCode: 1012, url: urls[1], retryInMs: 0 });
    await jest.advanceTimersByTimeAsync(0);
    expect(FakeWebSocket.latest().url).toBe(urls[1]);
    await acceptLatestSocket();
    expect(connection.state).toMatchObject({ status: 'ready', url: urls[1] });
    connection.close();
  });

  it("sends a fresh token on the open socket before the session's token expires, and again before the next one does", async () => {
    let token = 'jwt-1';
    const { connection } = connect({ getToken: async () => token });
    const socket = FakeWebSocket.latest();
    socket.open();
    await jest.advanceTimersByTimeAsync(0);
    socket.receive({ type: 'ready', userId: 'alice', expiresAt: Date.now() + 300_000 });
    token = 'jwt-2';
    await jest.advanceTimersByTimeAsync(269_000);
    expect(socket.sent).toEqual([{ type: 'auth', token: 'jwt-1' }]);
    await jest.advanceTimersByTimeAsync(1_000); // a tenth of its life (at most a minute) before expiry
    expect(socket.sent).toEqual([
      { type: 'auth', token: 'jwt-1' },
      { type: 'auth', token: 'jwt-2' },
    ]);
    socket.receive({ type: 'reauthenticated', expiresAt: Date.now() + 300_000 });
    token = 'jwt-3';
    await jest.advanceTimersByTimeAsync(270_000);
    expect(socket.sent.at(-1)).toEqual({ type: 'auth', token: 'jwt-3' });
    expect(connection.state.status).toBe('ready');
    connection.close();
  });

  it('reconnects at once, asking for a token again, when the server ends a session whose token expired (4004)', async () => {
    let token = 'jwt-1';
    const { connection } = connect({ random: () => 0, getToken: async () => token });
    const first = await acceptLatestSocket();
    token = 'jwt-2';
    first.drop(pushCloseCodes.TOKEN_EXPIRED);
    expect(connection.state).toMatchObject({ status: 'reconnecting', closeCode: 4004, retryInMs: 0 });
    await jest.advanceTimersByTimeAsync(0);
    const second = FakeWebSocket.latest();
    second.open();
    await jest.advanceTimersByTimeAsync(0);
    expect(second.sent).toEqual([{ type: 'auth', token: 'jwt-2' }]);
    connection.close();
  });

  it('spreads drained clients over one initial step with jitter', () => {
    const delays = [0, 0.5, 0.99].map((value) => {
      const { connection } = connect({ random: () => value });
      FakeWebSocket.latest().drop(pushCloseCodes.SERVICE_RESTART);
      const { retryInMs } = connection.state;
      connection.close();
      return retryInMs;
    });
    expect(delays).toEqual([0, 250, 495]);
  });

  it('backs off exponentially across nodes while every node is down, and resets after ready', async () => {
    for (const url of urls) FakeWebSocket.refusing.add(url);
    const { connection, states } = connect({ random: () => 0.5 });
    await jest.advanceTimersByTimeAsync(0);
    for (const step of [375, 750, 1_500, 3_000, 6_000, 6_000]) await jest.advanceTimersByTimeAsync(step);
    const retries = states.filter((state) => state.status === 'reconnecting');
    expect(retries.map((state) => state.retryInMs)).toEqual([375, 750, 1_500, 3_000, 6_000, 6_000, 6_000]);
    expect(retries.map((state) => state.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // Each retry goes to the next node in turn.
    expect(FakeWebSocket.instances.slice(0, 4).map((socket) => socket.url)).toEqual([urls[1], urls[2], urls[0], urls[1]]);

    FakeWebSocket.refusing.clear();
    await jest.advanceTimersByTimeAsync(6_000);
    const socket = await acceptLatestSocket();
    expect(connection.state).toMatchObject({ status: 'ready', attempt: 0 });
    socket.drop(1006);
    expect(connection.state).toMatchObject({ status: 'reconnecting', retryInMs: 375, attempt: 1 });
    connection.close();
  });

  it.each([
    ['a rejected token', pushCloseCodes.UNAUTHORIZED],
    ['a refused origin', pushCloseCodes.ORIGIN_NOT_ALLOWED],
  ])('stops reconnecting after %s and reports push as unavailable', async (_what, code) => {
    const { connection } = connect();
    const socket = FakeWebSocket.latest();
    socket.open();
    socket.drop(code);
    expect(connection.state).toMatchObject({ status: 'unavailable', closeCode: code });
    await jest.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it.each([
    ['too many sessions', pushCloseCodes.TOO_MANY_SESSIONS],
    ['a slow consumer', pushCloseCodes.SLOW_CONSUMER],
    ['a flood', pushCloseCodes.RATE_LIMITED],
  ])('reconnects with backoff after %s', async (_what, code) => {
    const { connection } = connect({ random: () => 0 });
    (await acceptLatestSocket()).drop(code);
    expect(connection.state).toMatchObject({ status: 'reconnecting', closeCode: code, retryInMs: 250, url: urls[1] });
    connection.close();
  });

  it('gives up on a node that accepts the socket but never says ready', async () => {
    const { connection } = connect({ random: () => 0 });
    FakeWebSocket.latest().open();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(FakeWebSocket.instances[0]!.closedWith?.code).toBe(4000);
    expect(connection.state).toMatchObject({ status: 'reconnecting', url: urls[1] });
    connection.close();
  });

  it('drops a session whose pings go unanswered, without waiting for a close handshake', async () => {
    const { connection } = connect({ random: () => 0, heartbeatIntervalMs: 1_000 });
    const socket = await acceptLatestSocket();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(socket.sent.at(-1)).toEqual({ type: 'ping' });
    socket.receive({ type: 'pong', at: 1 });
    await jest.advanceTimersByTimeAsync(1_000);
    expect(connection.state.status).toBe('ready');
    await jest.advanceTimersByTimeAsync(1_000);
    expect(connection.state).toMatchObject({ status: 'reconnecting', url: urls[1] });
    connection.close();
  });

  it('reports push as unavailable when there is no WebSocket implementation', () => {
    const { connection } = connect({ WebSocket: undefined });
    expect(connection.state.status).toBe('unavailable');
  });

  it('closes its socket and stops retrying when closed', async () => {
    const { connection } = connect();
    const socket = await acceptLatestSocket();
    connection.close();
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'client closed' });
    expect(connection.state.status).toBe('closed');
    await jest.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});
