export interface Series {
  readonly name: string;
  readonly color: string;
}

export interface BarChartProps {
  readonly title: string;
  readonly series: readonly Series[];
  /** One column per minute, oldest first: a count per series. */
  readonly columns: readonly (readonly number[])[];
}

const WIDTH = 600;
const HEIGHT = 150;
const LEFT = 34;
const BOTTOM = 18;

/**
 * Stacked bars, one per minute, as inline SVG: no script, no asset, scales
 * with the page (viewBox). The same figures are in the table and /api.
 */
export function BarChart(props: BarChartProps) {
  const totals = props.columns.map((column) => column.reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const plotWidth = WIDTH - LEFT - 4;
  const plotHeight = HEIGHT - BOTTOM - 6;
  const step = plotWidth / Math.max(1, props.columns.length);
  const bar = Math.max(1, step - 2);
  const summary = `${props.title}: ${totals.reduce((a, b) => a + b, 0)} in the last ${props.columns.length} minutes, at most ${max} a minute`;
  return (
    <figure style="margin:0">
      <svg
        class="chart"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width={WIDTH}
        height={HEIGHT}
        role="img"
        aria-label={summary}
      >
        <title>{summary}</title>
        <line x1={LEFT} y1={6} x2={LEFT} y2={6 + plotHeight} stroke="#d9dee3" />
        <line x1={LEFT} y1={6 + plotHeight} x2={WIDTH - 4} y2={6 + plotHeight} stroke="#d9dee3" />
        <text x={LEFT - 4} y={12} font-size="10" text-anchor="end" fill="#5b6570">
          {max}
        </text>
        <text x={LEFT - 4} y={6 + plotHeight} font-size="10" text-anchor="end" fill="#5b6570">
          0
        </text>
        {props.columns.map((column, i) => {
          let y = 6 + plotHeight;
          return column.map((count, s) => {
            if (count === 0) return null;
            const h = (count / max) * plotHeight;
            y -= h;
            return (
              <rect x={LEFT + 1 + i * step} y={y} width={bar} height={h} fill={props.series[s]?.color ?? "#888"} />
            );
          });
        })}
        <text x={LEFT} y={HEIGHT - 4} font-size="10" fill="#5b6570">
          −{props.columns.length} min
        </text>
        <text x={WIDTH - 4} y={HEIGHT - 4} font-size="10" text-anchor="end" fill="#5b6570">
          now
        </text>
      </svg>
      <figcaption class="legend">
        {props.series.map((s) => (
          <span>
            <i style={`background:${s.color}`} />
            {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
