import { connect, headers, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { traceHeaders, type Span } from './tracing/spans';

export type { MsgHdrs, NatsConnection };

/** NATS connection that keeps reconnecting for as long as the process lives. */
export function connectNats(options: { url: string; name: string }): Promise<NatsConnection> {
  return connect({ servers: options.url.split(','), name: options.name, maxReconnectAttempts: -1 });
}

/** NATS message headers carrying `span`'s trace context; undefined when tracing is off. */
export function natsTraceHeaders(span: Span | undefined): MsgHdrs | undefined {
  if (!span) return undefined;
  const natsHeaders = headers();
  for (const [name, value] of Object.entries(traceHeaders(span))) natsHeaders.set(name, value);
  return natsHeaders;
}

/** Call `onReconnect` each time the connection is back after losing its server (until it closes). */
export function onNatsReconnect(nats: NatsConnection, onReconnect: () => void): void {
  void (async () => {
    for await (const status of nats.status()) if (status.type === 'reconnect') onReconnect();
  })();
}

/**
 * Publish, then flush to know the server has it; when the connection dropped first (nats.js
 * discards what it buffered while it reconnects to another server), publish again, up to
 * `attempts` times `retryMs` apart. For events nobody else would send again.
 */
export async function publishConfirmed(
  nats: NatsConnection,
  subject: string,
  payload: string,
  { attempts = 5, retryMs = 500 } = {},
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    nats.publish(subject, payload);
    try {
      await nats.flush();
      return;
    } catch (error) {
      if (attempt >= attempts || nats.isClosed()) throw error;
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
}
