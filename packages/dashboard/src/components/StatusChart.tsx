import { useLocation } from 'preact-iso';
import { paths } from '../paths';
import { STACK_ORDER, type Slot } from './operationStats';
import { hourMinute } from './format';

/** The drawing's own units: the SVG scales to its box's width (no fixed width), keeping its proportions. */
const WIDTH = 720;
const HEIGHT = 220;
const LEFT = 44;
const RIGHT = 8;
const TOP = 12;
const BOTTOM = 26;

const word = (status: string) => status.replace(/_/g, ' ');

/**
 * Operations per time slot as stacked bars, one colour and one word per status (the legend), written by hand: a
 * chart library would weigh more than the whole dashboard. Each bar with operations is a link to the Logs of its
 * hour, named for screen readers with its counts (and a `<title>` as a tooltip); the same figures are a table
 * below for whoever prefers one.
 */
export function StatusChart(props: { slots: Slot[]; label: string }) {
  const location = useLocation();
  const slots = props.slots;
  const top = niceCeiling(Math.max(0, ...slots.map((slot) => slot.total)));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const step = plotWidth / Math.max(1, slots.length);
  const barWidth = Math.max(2, step * 0.72);
  const y = (value: number) => TOP + plotHeight - (value / top) * plotHeight;
  const ticks = [0, top / 2, top].filter(Number.isInteger);

  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="group" aria-label={props.label} class="chart-svg">
        {ticks.map((tick) => (
          <g key={tick} class="chart-grid">
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={y(tick)} y2={y(tick)} />
            <text x={LEFT - 6} y={y(tick) + 4} text-anchor="end" aria-hidden="true">
              {formatCount(tick)}
            </text>
          </g>
        ))}
        {slots.map((slot, index) => {
          const x = LEFT + index * step + (step - barWidth) / 2;
          const label = describe(slot);
          let base = 0;
          const bar = (
            <>
              <title>{label}</title>
              {/* The whole column takes the pointer, so a short bar is easy to hover and click. */}
              <rect class="chart-hit" x={LEFT + index * step} y={TOP} width={step} height={plotHeight} />
              {STACK_ORDER.map((status) => {
                const count = slot.counts[status];
                if (count === 0) return null;
                const rect = (
                  <rect
                    key={status}
                    class={`bar-${status}`}
                    x={x}
                    y={y(base + count)}
                    width={barWidth}
                    height={Math.max(1, y(base) - y(base + count))}
                  />
                );
                base += count;
                return rect;
              })}
            </>
          );
          const href = paths.logs({ from: new Date(slot.start).toISOString(), to: new Date(slot.end - 1).toISOString() });
          return slot.total === 0 ? (
            <g key={slot.start}>{bar}</g>
          ) : (
            <a
              key={slot.start}
              href={href}
              aria-label={label}
              class="chart-bar"
              onClick={(event: MouseEvent) => {
                // The router follows HTML links only: this SVG one is routed here, new tabs left to the browser.
                if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || event.button !== 0) return;
                event.preventDefault();
                location.route(href);
              }}
            >
              {bar}
            </a>
          );
        })}
        {slots.map((slot, index) =>
          index % 3 === 0 ? (
            <text
              key={`x${slot.start}`}
              class={index % 6 === 0 ? 'chart-axis' : 'chart-axis chart-axis-minor'}
              x={LEFT + index * step + step / 2}
              y={HEIGHT - 8}
              text-anchor="middle"
              aria-hidden="true"
            >
              {hourOf(slot.start)}
            </text>
          ) : null,
        )}
      </svg>
      <ul class="legend" aria-label="Legend">
        {STACK_ORDER.map((status) => (
          <li key={status}>
            <span class={`swatch bar-${status}`} aria-hidden="true" /> {word(status)}
          </li>
        ))}
      </ul>
      <details class="chart-table">
        <summary>The figures as a table</summary>
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{props.label}</caption>
            <thead>
              <tr>
                <th scope="col">Hour</th>
                {STACK_ORDER.map((status) => (
                  <th scope="col" class="num" key={status}>
                    {word(status)}
                  </th>
                ))}
                <th scope="col" class="num">
                  all
                </th>
              </tr>
            </thead>
            <tbody>
              {slots.map((slot) => (
                <tr key={slot.start}>
                  <th scope="row">{span(slot)}</th>
                  {STACK_ORDER.map((status) => (
                    <td class="num" key={status}>
                      {slot.counts[status]}
                    </td>
                  ))}
                  <td class="num">{slot.total}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** "14:00–15:00: 12 operations: 10 success, 2 failed". */
function describe(slot: Slot): string {
  const parts = STACK_ORDER.filter((status) => slot.counts[status] > 0).map((status) => `${slot.counts[status]} ${word(status)}`);
  const total = `${slot.total} operation${slot.total === 1 ? '' : 's'}`;
  return `${span(slot)}: ${total}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

function span(slot: Slot): string {
  return `${hourOf(slot.start)}–${hourOf(slot.end)}`;
}

function hourOf(ms: number): string {
  return hourMinute(ms);
}

/** The axis's top: the largest count rounded up to 1, 2 or 5 times a power of ten (at least 1). */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= value) return factor * power;
  return 10 * power;
}

function formatCount(value: number): string {
  return value >= 10_000 ? `${Math.round(value / 1000)}k` : String(Math.round(value * 10) / 10);
}
