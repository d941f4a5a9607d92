/**
 * Throughput to and from the databases and open streams over the last 10 minutes, drawn with
 * uPlot (a 50 KB canvas time-series chart, no dependencies): it gives time axes with readable
 * ticks, two y-scales (bytes per second; streams), resizing and hover for free, where hand-drawn
 * SVG would need all of that written and kept. The canvas is a picture; the numbers it shows are
 * also in the text beside it (the chart's accessible name and a visible summary).
 */
import { type ReactElement, useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TrafficSample } from '../../shared/agent-state.js';
import { formatBytes } from '../format.js';
import { TRAFFIC_WINDOW_MS, trafficSummary } from '../traffic-samples.js';

const HEIGHT = 180;
/** uPlot.Axis.Side.Right: an ambient const enum, which isolatedModules cannot reference by name. */
const RIGHT = 1 as unknown as uPlot.Axis.Side;

/** The theme's colours, read from the stylesheet's custom properties (light or dark). */
function themeColours(element: Element): Record<'fg' | 'muted' | 'grid' | 'to' | 'from', string> {
  const style = getComputedStyle(element);
  const read = (name: string): string => style.getPropertyValue(name).trim();
  return {
    fg: read('--fg'),
    muted: read('--fg-muted'),
    grid: read('--border'),
    to: read('--chart-to'),
    from: read('--chart-from'),
  };
}

function chartData(samples: readonly TrafficSample[]): uPlot.AlignedData {
  return [
    samples.map((s) => s.at / 1000),
    samples.map((s) => s.toTargets),
    samples.map((s) => s.fromTargets),
    samples.map((s) => s.streamsOpen),
  ];
}

function options(width: number, colours: ReturnType<typeof themeColours>, newest: () => number): uPlot.Options {
  const axis = { stroke: colours.muted, grid: { stroke: colours.grid, width: 1 }, ticks: { stroke: colours.grid } };
  return {
    width,
    height: HEIGHT,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      // Always the last 10 minutes, ending at the newest sample: the picture moves as time does.
      x: { time: true, range: () => [newest() - TRAFFIC_WINDOW_MS / 1000, newest()] },
      rate: { range: (_u, _min, max) => [0, Math.max(1024, max * 1.1)] },
      streams: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.2))] },
    },
    series: [
      {},
      { label: 'To databases', scale: 'rate', stroke: colours.to, width: 2, fill: `${colours.to}22` },
      { label: 'From databases', scale: 'rate', stroke: colours.from, width: 2 },
      { label: 'Open streams', scale: 'streams', stroke: colours.muted, width: 1, dash: [4, 4] },
    ],
    axes: [
      {
        ...axis,
        // A label per minute or more, as clock time: 14:05.
        space: 70,
        incrs: [60, 120, 300, 600],
        values: (_u, ticks) =>
          ticks.map((t) => {
            const date = new Date(t * 1000);
            return `${date.getHours()}:${String(date.getMinutes()).padStart(2, '0')}`;
          }),
      },
      {
        ...axis,
        scale: 'rate',
        size: 76,
        values: (_u, values) => values.map((v) => `${formatBytes(v)}/s`),
      },
      {
        ...axis,
        scale: 'streams',
        side: RIGHT,
        size: 40,
        grid: { show: false },
        values: (_u, values) => values.map((v) => (Number.isInteger(v) ? String(v) : '')),
      },
    ],
  };
}

export function TrafficChart({ samples }: { readonly samples: readonly TrafficSample[] }): ReactElement {
  const holder = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latest = useRef(samples);
  latest.current = samples;
  const summary = trafficSummary(samples);

  // Built once per theme; rebuilt when the OS switches between light and dark.
  useEffect(() => {
    const element = holder.current;
    if (element === null) return;
    const newest = (): number => (latest.current.at(-1)?.at ?? Date.now()) / 1000;
    const build = (): void => {
      chart.current?.destroy();
      chart.current = new uPlot(
        options(Math.max(200, element.clientWidth), themeColours(element), newest),
        chartData(latest.current),
        element,
      );
    };
    build();
    const scheme = window.matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', build);
    const resize = new ResizeObserver(() => {
      chart.current?.setSize({ width: Math.max(200, element.clientWidth), height: HEIGHT });
    });
    resize.observe(element);
    return () => {
      scheme.removeEventListener('change', build);
      resize.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setData(chartData(samples));
  }, [samples]);

  return (
    <figure className="traffic" aria-labelledby="traffic-heading">
      <figcaption className="traffic-caption">
        <h3 id="traffic-heading">Traffic, last 10 minutes</h3>
        <ul className="traffic-legend" aria-hidden="true">
          <li>
            <span className="swatch swatch-to" /> To databases
          </li>
          <li>
            <span className="swatch swatch-from" /> From databases
          </li>
          <li>
            <span className="swatch swatch-streams" /> Open streams (right axis)
          </li>
        </ul>
      </figcaption>
      <div
        ref={holder}
        className="traffic-chart"
        role="img"
        aria-label={`Chart of traffic over the last 10 minutes. ${summary}`}
        data-testid="traffic-chart"
        data-points={samples.length}
      />
      <p className="hint" data-testid="traffic-summary">
        {summary}
      </p>
    </figure>
  );
}
