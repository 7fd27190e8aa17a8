import uPlot from 'uplot';
import { REFUSAL_CODES, type Figure, type StatsHistory } from './stats-history';

interface ChartSeries {
  label: string;
  figure: Figure;
  color: string;
  /** A second y axis (on the right) for a figure of another unit. */
  scale?: 'right';
}
interface ChartDefinition {
  id: string;
  title: string;
  series: ChartSeries[];
}

const PALETTE = ['#2563eb', '#16a34a', '#ea580c', '#9333ea', '#dc2626', '#0891b2'] as const;

/** A chart's line, coloured by its index in the palette. */
const line = (label: string, figure: Figure, color: number, scale?: 'right'): ChartSeries => ({
  label,
  figure,
  color: PALETTE[color % PALETTE.length]!,
  ...(scale ? { scale } : {}),
});

/** What the dashboard draws, each a chart of the sale's last minutes. */
export const CHARTS: readonly ChartDefinition[] = [
  {
    id: 'chart-stock',
    title: 'Stock left',
    series: [line('Redis tokens', (s) => s.stock.redis, 0), line('PostgreSQL', (s) => s.stock.postgres, 1)],
  },
  {
    id: 'chart-rates',
    title: 'Per second',
    series: [
      line('admissions', (s) => s.rates.admissions, 0),
      line('orders', (s) => s.rates.orders, 1),
      line('deliveries', (s) => s.rates.deliveries, 3),
    ],
  },
  {
    id: 'chart-refusals',
    title: 'Refusals per second, by reason',
    series: REFUSAL_CODES.map((code, i) => line(code, (s) => s.rates.refusals[code] ?? 0, i + 2)),
  },
  {
    id: 'chart-queue',
    title: 'Queue depth and worker lag',
    series: [line('queue depth', (s) => s.queue.depth, 2), line('worker lag (messages)', (s) => s.workers.lag, 4)],
  },
  {
    id: 'chart-push',
    title: 'Push sessions and delivery p99',
    series: [line('sessions', (s) => s.push.sessions, 5), line('delivery p99 (ms)', (s) => s.push.deliveryP99Ms, 3, 'right')],
  },
];

export interface DashboardCharts {
  /** Draw the history's current columns on every chart. */
  update(history: StatsHistory): void;
}

/** One uPlot chart per definition, in `container`, resized with it. */
export function createDashboardCharts(container: HTMLElement): DashboardCharts {
  const plots = CHARTS.map((chart) => {
    const figure = document.createElement('figure');
    figure.className = 'chart';
    figure.id = chart.id;
    figure.dataset.points = '0';
    const caption = document.createElement('figcaption');
    caption.textContent = chart.title;
    figure.append(caption);
    container.append(figure);
    const hasRight = chart.series.some((series) => series.scale === 'right');
    const plot = new uPlot(
      {
        width: Math.max(280, figure.clientWidth - 16),
        height: 200,
        // Labels only: the tiles carry the current figures.
        legend: { live: false },
        scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] } },
        axes: [{}, { scale: 'y' }, ...(hasRight ? [{ scale: 'right', side: 1 as const, grid: { show: false } }] : [])],
        series: [
          {},
          ...chart.series.map((series) => ({
            label: series.label,
            stroke: series.color,
            width: 2,
            scale: series.scale ?? 'y',
            spanGaps: false,
          })),
        ],
      },
      [[], ...chart.series.map(() => [])],
      figure,
    );
    new ResizeObserver(() => plot.setSize({ width: Math.max(280, figure.clientWidth - 16), height: 200 })).observe(figure);
    return { chart, figure, plot };
  });

  return {
    update(history) {
      for (const { chart, figure, plot } of plots) {
        plot.setData(history.columns(chart.series.map((series) => series.figure)) as uPlot.AlignedData);
        // For tests and for the curious: how many points the chart holds now.
        figure.dataset.points = String(history.size);
      }
    },
  };
}
