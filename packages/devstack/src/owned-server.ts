/** When a restart took the server down and when it served again (epoch ms). */
export interface RestartTimes {
  stoppedAt: number;
  readyAt: number;
}

/**
 * A server of our own on a spare loopback port (see owned-process.ts): the faults act on it,
 * never on the machine's shared services.
 */
export interface OwnedServer {
  kind: 'kafka' | 'redis' | 'nats' | 'postgres';
  /** What the apps are pointed at (a URL, or host:port for Kafka). */
  address: string;
  port: number;
  /** The serving process now (it changes on a restart). */
  pid(): number;
  /** SIGSTOP: it keeps its sockets open and answers nothing. */
  freeze(): void;
  thaw(): void;
  /** Take it down (each kind its own way), wait `downMs`, start it again; resolves once it serves. */
  restart(options?: { downMs?: number }): Promise<RestartTimes>;
  /** Stop it and delete its files; bounded in time, safe to call twice. */
  stop(): Promise<void>;
}
