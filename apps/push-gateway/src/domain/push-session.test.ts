import { pushCloseCodes } from '@seckill/contracts';
import { createPushSession, type SessionSocket } from './push-session';

function fakeSocket() {
  const socket = {
    bufferedAmount: 0,
    sent: [] as string[],
    closedWith: undefined as { code: number; reason: string } | undefined,
    terminated: false,
    send(text: string) {
      this.sent.push(text);
    },
    close(code: number, reason: string) {
      this.closedWith = { code, reason };
    },
    terminate() {
      this.terminated = true;
    },
  };
  return socket satisfies SessionSocket;
}

const event = (ticketId: string, at = 1) => ({ text: JSON.stringify({ type: 'ticket', ticketId, at }), type: 'ticket', at });

describe('push session', () => {
  it('sends the snapshot before the live events that arrived while it was read', () => {
    const socket = fakeSocket();
    const session = createPushSession({ userId: 'alice', socket, slowConsumerBytes: 1024 });
    session.send('{"type":"ready"}');
    session.deliver(event('live-1'));
    session.goLive([event('snap-1'), event('snap-2')]);
    session.deliver(event('live-2'));
    expect(socket.sent.map((text) => JSON.parse(text).ticketId ?? JSON.parse(text).type)).toEqual([
      'ready',
      'snap-1',
      'snap-2',
      'live-1',
      'live-2',
    ]);
  });

  it('counts live and snapshot deliveries apart', () => {
    const delivered: string[] = [];
    const session = createPushSession({
      userId: 'alice',
      socket: fakeSocket(),
      slowConsumerBytes: 1024,
      onDelivered: (_event, source) => delivered.push(source),
    });
    session.deliver(event('live'));
    session.goLive([event('snap')]);
    session.addToSnapshot([event('found-later')]);
    expect(delivered).toEqual(['snapshot', 'live', 'snapshot']);
  });

  it('closes a slow consumer with 4008 instead of buffering without bound', () => {
    jest.useFakeTimers();
    try {
      const socket = fakeSocket();
      const session = createPushSession({ userId: 'alice', socket, slowConsumerBytes: 1024, closeGraceMs: 500 });
      session.goLive([]);
      socket.bufferedAmount = 2048;
      session.deliver(event('late'));
      expect(socket.sent).toEqual([]);
      expect(socket.closedWith?.code).toBe(pushCloseCodes.SLOW_CONSUMER);
      expect(session.closed).toBe(true);
      expect(socket.terminated).toBe(false);
      jest.advanceTimersByTime(500);
      expect(socket.terminated).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('sends nothing after it was closed', () => {
    const socket = fakeSocket();
    const session = createPushSession({ userId: 'alice', socket, slowConsumerBytes: 1024 });
    session.goLive([]);
    session.close(1012, 'draining');
    session.deliver(event('after'));
    expect(socket.sent).toEqual([]);
    expect(socket.closedWith).toEqual({ code: 1012, reason: 'draining' });
  });
});
