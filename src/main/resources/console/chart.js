// Charts with uPlot (vendored; index.html loads it as window.uPlot): report series over time, and query results.
import { fmt } from './ui.js';

const COLORS = ['#2f6fdf', '#e8710a', '#1e7b34', '#b3261e', '#7b3fd1', '#0b7f86', '#9c6500', '#c2185b', '#455a64', '#5d4037', '#00897b', '#6d4c41'];

/** Tick steps for a y axis of whole numbers. */
const WHOLE = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500].flatMap((n) => [n, n * 1e3, n * 1e6, n * 1e9]).sort((a, b) => a - b);

/** How a report's series can be drawn: lines, bars side by side per bucket, or stacked areas (each on the ones before). */
export const MODES = ['lines', 'bars', 'stacked'];

/** The chart's width: its element's, or <main>'s while the view is not in the page yet (a report's first draw). */
function widthOf(el) {
  return Math.max(320, el.clientWidth || (document.getElementById('main').clientWidth || 1000) - 40);
}

/** Keeps a chart as wide as its element: once the element is in the page (a report draws before its view is), and
 * when the window changes size. */
function fit(el, u) {
  if (el.catchmentResize) el.catchmentResize.disconnect();
  el.catchmentResize = new ResizeObserver(() => {
    const w = el.clientWidth;
    if (w > 0 && Math.abs(w - u.width) > 1) u.setSize({ width: Math.max(320, w), height: u.height });
  });
  el.catchmentResize.observe(el);
  return u;
}

/** Cumulative sums of the shown series (a hidden one keeps its own values and is left out of the sums), and the bands
 * that fill each shown series down to the shown one below it (the uPlot stacked-series approach). */
function stack(raw, shown) {
  const acc = raw[0].map(() => 0);
  let below = 0;
  const bands = [];
  const data = raw.map((d, k) => {
    if (!shown(k + 1)) return d;
    if (below) bands.push({ series: [k + 1, below] });
    below = k + 1;
    return d.map((v, i) => (acc[i] += v === null || v === undefined ? 0 : v));
  });
  return { data, bands };
}

/** A y scale that starts at zero (bars and stacked areas stand on it) unless a value is below it. */
function fromZero(u, min, max) {
  const [lo, hi] = window.uPlot.rangeNum(Math.min(0, min), Math.max(0, max), 0.1, true);
  return [min >= 0 ? 0 : lo, hi];
}

/** The x axis of a report: one label per bucket (every k-th when they would crowd), in the report's zone, as the
 * interval reads (14:05, Mar 27, Mar 2026), instead of uPlot's ticks every few hours between daily buckets. */
function bucketAxis(xs, interval, timezone) {
  const opts = { timeZone: timezone || undefined };
  const short = interval === 'month' ? { month: 'short', year: 'numeric' }
    : interval === 'minute' || interval === 'hour' ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : { month: 'short', day: 'numeric' };
  const label = new Intl.DateTimeFormat('en-US', { ...opts, ...short });
  const day = new Intl.DateTimeFormat('en-US', { ...opts, month: 'short', day: 'numeric' });
  // at most one label per 70 px of the chart's current width
  const every = (u) => Math.max(1, Math.ceil(xs.length / Math.max(1, Math.floor((u.width - 60) / 70))));
  return {
    splits: (u) => xs.filter((_, i) => i % every(u) === 0),
    values: (u, vals) => vals.map((v, i) => {
      const t = new Date(v * 1000);
      // hours and minutes carry their day under the first label and where the day changes
      const newDay = i === 0 || day.format(t) !== day.format(new Date(vals[i - 1] * 1000));
      return label.format(t) + ((interval === 'minute' || interval === 'hour') && newDay ? '\n' + day.format(t) : '');
    }),
  };
}

/**
 * Draws series [{label, data: [[isoTime, value], …]}] over the same buckets, as {@code mode}: lines, bars (each bucket's
 * bars side by side) or stacked areas. The series' values are never changed: the legend shows each series' own value
 * in every mode, and a table drawn from the same series stays right.
 */
export function timeChart(el, buckets, series, { mode = 'lines', interval, timezone, height = 320 } = {}) {
  el.replaceChildren();
  if (!buckets.length || !series.length) return null;
  const U = window.uPlot;
  const xs = buckets.map((t) => Date.parse(t) / 1000);
  const raw = series.map((s) => s.data.map((p) => p[1]));
  const step = xs.length > 1 ? Math.min(...xs.slice(1).map((x, i) => x - xs[i])) : 3600;
  const stacked = mode === 'stacked' ? stack(raw, () => true) : null;
  // counts get whole-number ticks (no 0.5 of an event)
  const whole = raw.every((d) => d.every((v) => v === null || v === undefined || Number.isInteger(v)));
  const group = step * 0.8;
  const width = group / series.length;
  // each series' bars start at its slot within the bucket's group (uPlot's bars path with x0 and size in x units)
  const bars = (k) => U.paths.bars({ size: [1, Infinity], disp: {
    x0: { unit: 1, values: () => xs.map((x) => x - group / 2 + k * width) },
    size: { unit: 1, values: () => [width] },
  } });
  const opts = {
    width: widthOf(el), height,
    // axis labels in the report's zone, not the browser's
    tzDate: timezone ? (ts) => U.tzDate(new Date(ts * 1000), timezone) : undefined,
    scales: {
      x: { time: true, range: mode === 'bars' ? (u, lo, hi) => [lo - step / 2, hi + step / 2] : undefined },
      y: mode === 'lines' ? {} : { range: fromZero },
    },
    bands: stacked ? stacked.bands : undefined,
    series: [{}, ...series.map((s, k) => ({
      label: s.label, stroke: COLORS[k % COLORS.length], width: mode === 'bars' ? 1 : 2,
      fill: mode === 'lines' ? undefined : COLORS[k % COLORS.length] + (mode === 'bars' ? 'b0' : '59'),
      paths: mode === 'bars' ? bars(k) : undefined,
      points: { show: mode === 'lines' && buckets.length < 60 },
      value: (u, v, si, i) => (i === null || i === undefined ? '--' : fmt(raw[si - 1][i])),
    }))],
    axes: [interval ? bucketAxis(xs, interval, timezone) : {}, { values: (u, vals) => vals.map((v) => fmt(v)), incrs: whole ? WHOLE : undefined }],
    hooks: stacked ? { setSeries: [(u) => {
      // a series toggled in the legend leaves the stack: the ones above it move down
      const again = stack(raw, (i) => u.series[i].show);
      u.delBand(null);
      again.bands.forEach((b) => u.addBand(b));
      u.setData([xs, ...again.data]);
    }] } : undefined,
  };
  return fit(el, new U(opts, [xs, ...(stacked ? stacked.data : raw)], el));
}

/** Charts a query result: the first column along x (times as a time axis, anything else as categories), each numeric
 * column a line. Returns false when there is no number column to draw. */
export function resultChart(el, columns, rows) {
  el.replaceChildren();
  const numeric = columns.map((_, i) => i > 0 && rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === 'number'));
  if (!numeric.some(Boolean)) return false;
  const times = rows.every((r) => typeof r[0] === 'string' && !isNaN(Date.parse(r[0])));
  const ordered = times ? [...rows].sort((a, b) => Date.parse(a[0]) - Date.parse(b[0])) : rows;
  const xs = ordered.map((r, i) => (times ? Date.parse(r[0]) / 1000 : i));
  const data = [xs, ...columns.map((_, i) => i).filter((i) => numeric[i]).map((i) => ordered.map((r) => r[i]))];
  fit(el, new window.uPlot({
    width: widthOf(el), height: 300,
    scales: { x: times ? { time: true } : { time: false, range: () => [-0.5, xs.length - 0.5] }, y: times ? {} : { range: fromZero } },
    series: [{ label: columns[0] }, ...columns.filter((_, i) => numeric[i]).map((c, k) => ({ label: c, stroke: COLORS[k % COLORS.length], width: 2,
      // categories as bars, times as lines
      fill: times ? undefined : COLORS[k % COLORS.length] + '55', paths: times ? undefined : window.uPlot.paths.bars({ size: [0.6, 80] }),
      points: { show: times && xs.length < 60 } }))],
    axes: [times ? {} : { values: (u, vals) => {
      // a category's name cut to the room it has (about 7 px a character), so that neighbours do not run together
      const room = Math.max(3, Math.floor(u.bbox.width / (window.devicePixelRatio || 1) / xs.length / 7));
      return vals.map((v) => {
        const name = Number.isInteger(v) && ordered[v] ? String(ordered[v][0]) : '';
        return name.length > room ? name.slice(0, room - 1) + '…' : name;
      });
    } }, {}],
  }, data, el));
  return true;
}
