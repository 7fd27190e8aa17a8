import { connect, type NatsConnection } from '@nats-io/transport-node';

export type { NatsConnection };

/** NATS connection that keeps reconnecting for as long as the process lives. */
export function connectNats(options: { url: string; name: string }): Promise<NatsConnection> {
  return connect({ servers: options.url.split(','), name: options.name, maxReconnectAttempts: -1 });
}
