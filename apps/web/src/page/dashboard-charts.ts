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

const PALETTE = ['#2563eb', '#16a34a', '#ea580c', '#9333ea', '#dc2626', '#0891b2'];

/** What the dashboard draws, each a chart of the sale's last minutes. */
export const CHARTS: readonly ChartDefinition[] = [
  {
    id: 'chart-stock',
    title: 'Stock left',
    series: [
      { label: 'Redis tokens', figure: (s) => s.stock.redis, color: PALETTE[0]! },
      { label: 'PostgreSQL', figure: (s) => s.stock.postgres, color: PALETTE[1]! },
    ],
  },
  {
    id: 'chart-rates',
    title: 'Per second',
    series: [
      { label: 'admissions', figure: (s) => s.rates.admissions, color: PALETTE[0]! },
      { label: 'orders', figure: (s) => s.rates.orders, color: PALETTE[1]! },
      { label: 'deliveries', figure: (s) => s.rates.deliveries, color: PALETTE[3]! },
    ],
  },
  {
    id: 'chart-refusals',
    title: 'Refusals per second, by reason',
    series: REFUSAL_CODES.map((code, i) => ({
      label: code,
      figure: (s) => s.rates.refusals[code] ?? 0,
      color: PALETTE[(i + 2) % PALETTE.length]!,
    })),
  },
  {
    id: 'chart-queue',
    title: 'Queue depth and worker lag',
    series: [
      { label: 'queue depth', figure: (s) => s.queue.depth, color: PALETTE[2]! },
      { label: 'worker lag (messages)', figure: (s) => s.workers.lag, color: PALETTE[4]! },
    ],
  },
  {
    id: 'chart-push',
    title: 'Push sessions and delivery p99',
    series: [
      { label: 'sessions', figure: (s) => s.push.sessions, color: PALETTE[5]! },
      { label: 'delivery p99 (ms)', figure: (s) => s.push.deliveryP99Ms, color: PALETTE[3]!, scale: 'right' },
    ],
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
