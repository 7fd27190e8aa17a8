import { fetchEventSource } from '@microsoft/fetch-event-source';
import type { SaleStats } from '@seckill/contracts';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

/** The stream answered with an error that retrying will not fix (bad token, unknown sale). */
export class StreamRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Follow a sale's statistics stream (Server-Sent Events, through the page's /api proxy). EventSource
 * cannot send the admin token, so fetch-event-source reads the stream with fetch; it reconnects
 * after a network error or a gateway restart.
 */
export function followSaleStats(options: {
  saleId: string;
  adminToken: string;
  onStats: (stats: SaleStats) => void;
  onStatus: (status: StreamStatus) => void;
  onRefused: (refused: StreamRefused) => void;
}): () => void {
  const stop = new AbortController();
  options.onStatus('connecting');
  fetchEventSource(`/api/admin/sales/${encodeURIComponent(options.saleId)}/stats/stream`, {
    headers: { authorization: `Bearer ${options.adminToken}` },
    signal: stop.signal,
    // A dashboard on a second screen keeps moving.
    openWhenHidden: true,
    async onopen(response) {
      if (response.ok && response.headers.get('content-type')?.includes('text/event-stream')) {
        options.onStatus('live');
        return;
      }
      const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
      const refused = new StreamRefused(response.status, body?.error?.message ?? `HTTP ${response.status}`);
      // 4xx: our request is wrong; anything else: the gateway is having trouble, try again.
      if (response.status >= 400 && response.status < 500) throw refused;
      throw new Error(refused.message);
    },
    onmessage(message) {
      if (message.event === 'stats') options.onStats(JSON.parse(message.data) as SaleStats);
    },
    onclose() {
      // The gateway ended the stream (shutting down): reconnect, to another gateway behind the balancer.
      options.onStatus('reconnecting');
      throw new Error('stream closed');
    },
    onerror(error) {
      if (error instanceof StreamRefused) {
        options.onRefused(error);
        throw error; // stops retrying
      }
      options.onStatus('reconnecting');
      return 1_000;
    },
  }).catch(() => undefined);
  return () => stop.abort();
}
