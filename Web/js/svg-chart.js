// js/svg-chart.js: counts per minute → one <svg> of stacked bars, with a time axis, the maximum and a legend.
// Pure: the same input gives the same element, and nothing is read from or written to the page. Built with DOM
// calls only, so labels (channel names, say) are text, never markup.

const SVG = "http://www.w3.org/2000/svg";
const MINUTE = 60_000;
/** Colour classes `series-0` … `series-6` (the page's CSS colours them); a series' `tone` wraps around past 6. */
export const TONES = 7;
/** Minutes between two time labels: the smallest that gives at most 5 labels. */
const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];
const LEGEND_PER_LINE = 4;
// Layout, in CSS pixels (the width is the container's: the plot stretches, text does not).
const TOP = 20; // room for the maximum's label above the plot
const AXIS = 22; // time labels below it
const LEGEND_LINE = 18;

const ENGLISH = {
  empty: "No posts yet",
  max: (count) => `max ${count}/min`,
  describe: ({ minutes, total, max, maxAt, series }) =>
    total === 0
      ? `Posts per minute over the last ${minutes} minutes: none.`
      : `Posts per minute over the last ${minutes} minutes: ${total} in all (${series.map((item) => `${item.label} ${item.total}`).join(", ")}); at most ${max} a minute, at ${maxAt}.`,
};

function node(name, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  element.append(...children);
  return element;
}

function valueOf(values, key) {
  const value = values instanceof Map ? values.get(key) : values && Object.hasOwn(values, key) ? values[key] : 0;
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function defaultTime(ms) {
  return new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(ms);
}

const percent = (fraction) => `${(fraction * 100).toFixed(3)}%`;

/**
 * A stacked bar chart of `minutes` one-minute bars ending with the minute that contains `endMs`, as a new `<svg>`.
 * - `series`: `[{ key, label, tone }]`, bottom of the stack first; `tone` (default: the index) picks the class
 *   `series-(tone mod 7)`. The legend lists, in that order, the series that have a post in the window.
 * - `points`: `[{ minuteMs, values }]`, `values` a Map or object of key → count. Minutes may be missing (they
 *   count 0) or repeated (they add up); those outside the window and keys not in `series` are left out.
 * - `text`: `{ empty, max(count), describe(summary) }`, English by default; `describe` gets
 *   `{ minutes, total, max, maxAt, series: [{ key, label, total }] }` and its sentence is the chart's `<title>` and
 *   `aria-label` (`role="img"`: screen readers read that, not the shapes). `formatTime(ms)` writes "HH:MM".
 * - With no post in the window, the axes are drawn with `text.empty` in the middle.
 * Each minute with posts is a `<g data-minute="ISO" data-total="N">` whose `<title>` lists its counts.
 */
export function minuteBarChart({ series, points, endMs, minutes = 60, text = {}, formatTime = defaultTime, height = 120 }) {
  const words = { ...ENGLISH, ...text };
  const count = Math.max(1, Math.floor(minutes));
  const lastMinute = Math.floor(endMs / MINUTE) * MINUTE;
  const startMs = lastMinute - (count - 1) * MINUTE;

  // One row of counts per minute, one column per series.
  const grid = Array.from({ length: count }, () => new Array(series.length).fill(0));
  for (const point of points) {
    const index = Math.round((point.minuteMs - startMs) / MINUTE);
    if (!(index >= 0 && index < count)) continue;
    series.forEach((item, column) => {
      grid[index][column] += valueOf(point.values, item.key);
    });
  }
  const totals = grid.map((row) => row.reduce((sum, value) => sum + value, 0));
  const max = Math.max(0, ...totals);
  const maxIndex = totals.indexOf(max);
  const perSeries = series.map((item, column) => ({ key: item.key, label: item.label, total: grid.reduce((sum, row) => sum + row[column], 0) }));
  const total = totals.reduce((sum, value) => sum + value, 0);
  const shown = series.map((item, column) => ({ ...item, column, tone: Number.isInteger(item.tone) ? item.tone : column })).filter((item) => perSeries[item.column].total > 0);

  const legendLines = Math.ceil(shown.length / LEGEND_PER_LINE);
  const plotBottom = TOP + height;
  const fullHeight = plotBottom + AXIS + legendLines * LEGEND_LINE + (legendLines > 0 ? 4 : 0);
  const summary = { minutes: count, total, max, maxAt: max > 0 ? formatTime(startMs + maxIndex * MINUTE) : "", series: perSeries.filter((item) => item.total > 0) };
  const description = words.describe(summary);

  const svg = node("svg", { class: "chart", role: "img", "aria-label": description, width: "100%", height: fullHeight }, node("title", {}, description));

  // The plot: one unit per minute across, one per post up; stretched to the width, so strokes must not scale.
  const plot = node("svg", { class: "chart-plot", x: 0, y: TOP, width: "100%", height, viewBox: `0 0 ${count} ${Math.max(1, max)}`, preserveAspectRatio: "none" });
  for (let index = 0; index < count; index += 1) {
    if (totals[index] === 0) continue;
    const minuteMs = startMs + index * MINUTE;
    const parts = shown.filter((item) => grid[index][item.column] > 0).map((item) => `${item.label} ${grid[index][item.column]}`);
    const group = node("g", { "data-minute": new Date(minuteMs).toISOString(), "data-total": totals[index] }, node("title", {}, `${formatTime(minuteMs)} · ${parts.join(", ")}`));
    // A full-height strip under the bar, so that its title shows when hovering the column, not only the bar.
    group.append(node("rect", { class: "chart-hit", fill: "transparent", x: index, y: 0, width: 1, height: Math.max(1, max) }));
    let stacked = 0;
    for (const item of shown) {
      const value = grid[index][item.column];
      if (value === 0) continue;
      stacked += value;
      group.append(node("rect", { class: `chart-bar series-${item.tone % TONES}`, "data-series": item.key, x: index + 0.12, width: 0.76, y: max - stacked, height: value }));
    }
    plot.append(group);
  }
  svg.append(
    node("line", { class: "chart-grid", x1: 0, x2: "100%", y1: TOP + 0.5, y2: TOP + 0.5 }),
    plot,
    node("line", { class: "chart-axis", x1: 0, x2: "100%", y1: plotBottom + 0.5, y2: plotBottom + 0.5 }),
  );
  if (max > 0) svg.append(node("text", { class: "chart-max", x: 0, y: TOP - 6 }, words.max(max)));
  else svg.append(node("text", { class: "chart-empty", x: "50%", y: TOP + height / 2, "text-anchor": "middle", "dominant-baseline": "middle" }, words.empty));

  // Time labels on round minutes of the local clock (every 15 min over an hour), kept inside the width.
  const step = TICK_STEPS.find((candidate) => count / candidate <= 5) ?? TICK_STEPS.at(-1);
  for (let index = 0; index < count; index += 1) {
    const minuteMs = startMs + index * MINUTE;
    const date = new Date(minuteMs);
    if ((date.getHours() * 60 + date.getMinutes()) % step !== 0) continue;
    const middle = (index + 0.5) / count;
    const anchor = middle < 0.05 ? "start" : middle > 0.95 ? "end" : "middle";
    const x = anchor === "start" ? index / count : anchor === "end" ? (index + 1) / count : middle;
    svg.append(
      node("line", { class: "chart-tick", x1: percent(middle), x2: percent(middle), y1: plotBottom, y2: plotBottom + 4 }),
      node("text", { class: "chart-time", x: percent(x), y: plotBottom + 17, "text-anchor": anchor }, formatTime(minuteMs)),
    );
  }

  // The legend: a coloured square and the label per series, a few per line (tspans flow, so no text is measured).
  for (let line = 0; line < legendLines; line += 1) {
    const row = node("text", { class: "chart-legend", x: 0, y: plotBottom + AXIS + (line + 1) * LEGEND_LINE - 4 });
    shown.slice(line * LEGEND_PER_LINE, (line + 1) * LEGEND_PER_LINE).forEach((item, position) => {
      row.append(
        node("tspan", { class: `chart-swatch series-${item.tone % TONES}`, dx: position === 0 ? 0 : 14 }, "■"),
        node("tspan", { "data-series": item.key, dx: 4 }, item.label),
      );
    });
    svg.append(row);
  }
  return svg;
}
