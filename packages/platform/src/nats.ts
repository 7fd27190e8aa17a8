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
