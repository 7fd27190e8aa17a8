import type { SaleStats } from '@seckill/contracts';

/** The refusal reasons the gateway counts per sale, in the order the charts show them. */
export const REFUSAL_CODES = ['SOLD_OUT', 'QUEUE_FULL', 'RATE_LIMITED', 'SALE_NOT_ACTIVE', 'SERVICE_UNAVAILABLE'] as const;

/** One figure of a look at the sale; null where it is unknown (no deliveries yet, Kafka unreachable). */
export type Figure = (stats: SaleStats) => number | null;

/** Times (epoch s) then one column per figure: uPlot's aligned data. */
export type Columns = [number[], ...(number | null)[][]];

export interface StatsHistory {
  push(stats: SaleStats): void;
  readonly size: number;
  latest(): SaleStats | undefined;
  columns(figures: readonly Figure[]): Columns;
  clear(): void;
}

/** The last `capacity` looks at a sale (one per stream event), as chart columns. */
export function createStatsHistory(capacity: number): StatsHistory {
  let samples: SaleStats[] = [];
  return {
    push(stats) {
      // A repeat of the same moment (a reconnect) adds nothing.
      if (samples.at(-1)?.at === stats.at) return;
      samples.push(stats);
      if (samples.length > capacity) samples = samples.slice(-capacity);
    },
    get size() {
      return samples.length;
    },
    latest: () => samples.at(-1),
    columns(figures) {
      return [samples.map((stats) => Date.parse(stats.at) / 1000), ...figures.map((figure) => samples.map(figure))];
    },
    clear() {
      samples = [];
    },
  };
}

/** "1,234", "12.5", "–" for unknown. */
export function formatFigure(value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const digits = Number.isInteger(value) ? 0 : 1;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })}${unit}`;
}
