/** One value of one series in one time bucket; `t` is ms since the herd was fired. */
export interface TimelinePoint {
  chart: 'admissions' | 'results' | 'latency';
  series: string;
  t: number;
  value: number;
}

/** A fault from its start to its heal (`to` missing: it never healed), ms since the herd was fired. */
export interface FaultSpan {
  name: string;
  from: number;
  to?: number;
}

/**
 * Vega-Lite: three stacked panels sharing the time axis (admissions, results, click→push
 * latency), each with the faults shaded from start to heal.
 */
export function buildChartSpec(points: readonly TimelinePoint[], saleId: string, bucketMs = 10, faults: readonly FaultSpan[] = []): object {
  const x = { field: 't', type: 'quantitative', title: 'ms since the herd was fired', axis: { tickCount: 10, labelFlush: true } };
  const end = Math.max(bucketMs, ...points.map((p) => p.t + bucketMs), ...faults.map((f) => f.to ?? f.from));
  // Shaded from start to heal (to the end of the chart when it never healed), under the data, named at the top.
  const faultLayers = faults.length
    ? [
        {
          data: { values: faults.map((f) => ({ name: f.name, from: f.from, to: f.to ?? end })) },
          mark: { type: 'rect', color: '#d62728', opacity: 0.12 },
          encoding: { x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' } },
        },
        {
          data: { values: faults.map((f) => ({ name: f.name, from: f.from })) },
          mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 3, color: '#d62728', fontSize: 10 },
          encoding: { x: { field: 'from', type: 'quantitative' }, y: { value: 0 }, text: { field: 'name' } },
        },
      ]
    : [];
  const panel = (chart: TimelinePoint['chart'], title: string, yTitle: string, mark: object) => ({
    title,
    width: 720,
    height: 160,
    layer: [
      ...faultLayers,
      {
        transform: [{ filter: `datum.chart === '${chart}'` }, { calculate: `datum.t + ${bucketMs}`, as: 't2' }],
        mark,
        encoding: {
          // Bars span their bucket (pre-binned data), lines sit at the bucket's start.
          ...((mark as { type: string }).type === 'bar'
            ? { x: { ...x, bin: { binned: true, step: bucketMs } }, x2: { field: 't2' } }
            : { x }),
          y: {
            field: 'value',
            type: 'quantitative',
            title: yTitle,
            ...(mark && (mark as { type: string }).type === 'bar' ? { stack: 'zero' } : {}),
          },
          color: { field: 'series', type: 'nominal', title: null, legend: { labelLimit: 300 } },
        },
      },
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `Seckill load test, sale ${saleId}`, anchor: 'start' },
    data: { values: points },
    vconcat: [
      panel('admissions', 'Purchase answers per time bucket', 'answers', { type: 'bar' }),
      panel('results', 'Final results first received per time bucket', 'results', { type: 'bar' }),
      panel('latency', `Click → pushed result latency (p50, p99) of the results in each ${bucketMs} ms bucket`, 'ms', {
        type: 'line',
        point: true,
      }),
    ],
    resolve: { scale: { x: 'shared', color: 'independent' } },
    config: { font: 'sans-serif' },
  };
}

/** Render a Vega-Lite spec to SVG headless, offline (vega and vega-lite are ESM: loaded with import()). */
export async function renderChartSvg(spec: object): Promise<string> {
  const vega = await import('vega');
  const vegaLite = await import('vega-lite');
  const compiled = vegaLite.compile(spec as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
