import { h, api, table, errorBox, state, rangeFields, eventNames, datalist, labelled, addToDashboard } from '../ui.js';
import { timeChart, MODES } from '../chart.js';
import { propertyField, filterRows, filterRequest, filterState, daysSince } from '../pickers.js';

export const title = 'Trends';
const MEASURES = ['total', 'uniques', 'dau', 'wau', 'mau', 'sum', 'avg', 'min', 'max', 'median', 'p90', 'p99'];

export async function render(view) {
  const s = state.get() || { series: [{ event: '', measure: 'total' }], interval: 'day' };
  const names = await eventNames();
  const rows = h('div', {});
  const series = s.series.map((x) => ({ ...x, filters: (x.filters || []).map(filterState) }));
  const days = () => daysSince(range.read().from);
  function seriesRow(x, i) {
    const letter = String.fromCharCode(65 + i);
    const ev = h('input', { id: 'event-' + i, list: 'trend-names', value: x.event || '', placeholder: 'every event', oninput: () => { x.event = ev.value; } });
    const m = h('select', { id: 'measure-' + i, onchange: () => { x.measure = m.value; } }, MEASURES.map((v) => h('option', { value: v, selected: v === (x.measure || 'total') || undefined }, v)));
    const p = propertyField('Property', { id: 'property-' + i, value: x.property || '', size: 12, placeholder: 'for sum…p99', oninput: () => { x.property = p.input.value; } }, () => [x], { numeric: true });
    const remove = h('button', { type: 'button', class: 'secondary', 'aria-label': 'remove series ' + letter, onclick: () => { series.splice(i, 1); drawRows(); } }, '×');
    return h('fieldset', { class: 'selection' }, h('legend', {}, 'Series ' + letter),
      h('div', { class: 'fields' }, labelled('Event', ev), labelled('Measure', m), p.el, series.length > 1 ? remove : null), filterRows(x, 'series-' + i, days));
  }
  function drawRows() { rows.replaceChildren(...series.map(seriesRow)); }
  const interval = h('select', { id: 'interval' }, ['minute', 'hour', 'day', 'week', 'month'].map((v) => h('option', { value: v, selected: v === s.interval || undefined }, v)));
  const breakdown = propertyField('Breakdown', { id: 'breakdown', value: (s.breakdown && s.breakdown.property) || '', size: 14 }, () => series);
  const formula = h('input', { id: 'formula', value: (s.formulas && s.formulas[0] && s.formulas[0].formula) || '', size: 12, placeholder: 'A / B * 100' });
  const compare = h('input', { id: 'compare', type: 'checkbox', checked: s.compare ? true : undefined });
  const range = rangeFields(s);
  const chart = h('div', { class: 'chart', id: 'chart' });
  const out = h('div', { id: 'result' });
  // how the chart is drawn: part of the page's URL state, not of the request
  let mode = MODES.includes(s.chart) ? s.chart : 'lines';
  let req = null;
  let shown = null;
  const save = () => state.set(mode === 'lines' ? req : { ...req, chart: mode });
  const draw = () => { if (shown) timeChart(chart, shown.buckets, shown.series, { mode, interval: shown.interval, timezone: shown.timezone }); };
  const modes = h('fieldset', { class: 'segmented', id: 'chart-mode' }, h('legend', {}, 'Draw as'),
    MODES.map((m) => h('label', {}, h('input', { type: 'radio', name: 'chart-mode', value: m, checked: m === mode || undefined, onchange: () => {
      mode = m;
      if (req) save();
      draw();
    } }), m)));
  async function run(e) {
    if (e) e.preventDefault();
    req = { ...range.read(), interval: interval.value, series: series.map((x) => {
      const o = x.event ? { event: x.event } : { type: 'any' };
      o.measure = x.measure || 'total';
      if (x.property) o.property = x.property;
      const filters = x.filters.filter((f) => f.property).map(filterRequest);
      if (filters.length) o.filters = filters;
      return o;
    }) };
    if (breakdown.input.value) req.breakdown = { property: breakdown.input.value };
    if (formula.value) req.formulas = [{ formula: formula.value }];
    if (compare.checked) req.compare = 'previous';
    save();
    out.replaceChildren(h('p', { class: 'muted' }, 'Running…'));
    try {
      const r = await api('/v1/analytics/trends', { method: 'POST', body: req });
      const answered = performance.now();
      const all = [...r.series, ...(r.formulas || []), ...(r.previous || []).map((p) => ({ ...p, label: 'previous: ' + p.label, data: p.data.map((d, i) => [r.buckets[i], d[1]]) }))];
      shown = { buckets: r.buckets, series: all, interval: r.interval, timezone: r.timezone };
      draw();
      out.replaceChildren(table(['time', ...all.map((x) => x.label)], r.buckets.map((b, i) => [b, ...all.map((x) => x.data[i] ? x.data[i][1] : null)]), { name: 'trends', caption: 'trends' }),
        h('p', { class: 'muted' }, 'Time zone ' + r.timezone + ', ' + r.elapsed_ms + ' ms'),
        addToDashboard('trends', () => req, () => r.series.map((x) => x.label).join(', '), () => ({ chart: mode })));
      // how long the chart and its table took after the answer (ConsoleIT reads it)
      window.__catchmentRenderMs = performance.now() - answered;
    } catch (err) {
      shown = null;
      chart.replaceChildren();
      out.replaceChildren(errorBox(err));
    }
  }
  drawRows();
  const form = h('form', { class: 'report card', onsubmit: run }, rows,
    h('button', { type: 'button', class: 'secondary', onclick: () => { if (series.length < 12) { series.push({ measure: 'total', filters: [] }); drawRows(); } } }, 'Add series'),
    h('fieldset', {}, h('legend', {}, 'Chart'), labelled('Interval', interval), breakdown.el, labelled('Formula', formula), labelled('Previous period', compare)),
    range.el, datalist('trend-names', names), h('button', { type: 'submit', id: 'run' }, 'Run'));
  view.append(h('h1', {}, 'Trends'), form, h('div', { class: 'card' }, modes, chart), out);
  if (state.get()) await run();
}
