import type { NatsConnection } from '@nats-io/transport-node';
import { publishConfirmed } from './nats';

/** A connection whose flushes fail `failures` times (the server went away before it had the message). */
function flakyConnection(failures: number) {
  const published: string[] = [];
  const nats = {
    publish: (_subject: string, payload: string) => void published.push(payload),
    flush: () => (failures-- > 0 ? Promise.reject(new Error('connection disconnected')) : Promise.resolve()),
    isClosed: () => false,
  } as unknown as NatsConnection;
  return { nats, published };
}

describe('publishConfirmed', () => {
  it('publishes again until a flush confirms the server has it', async () => {
    const { nats, published } = flakyConnection(2);
    await publishConfirmed(nats, 'seckill.users.u.tickets', 'event', { retryMs: 1 });
    expect(published).toEqual(['event', 'event', 'event']);
  });

  it('gives up after its attempts with the last error', async () => {
    const { nats, published } = flakyConnection(10);
    await expect(publishConfirmed(nats, 'seckill.users.u.tickets', 'event', { attempts: 3, retryMs: 1 })).rejects.toThrow(
      'connection disconnected',
    );
    expect(published).toHaveLength(3);
  });
});
