// Small helpers shared by the pages: elements, the API with the admin key, tables with CSV, charts (uPlot).

/** An element: h('td', {class: 'num'}, '42'). Attributes starting with "on" are listeners. */
export function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'value') e.value = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

const KEY = 'catchment.key';
export const auth = {
  // The admin key lives in sessionStorage (this tab only) and goes out as a bearer header, as the CLI sends it: no
  // cookie, so no request another site makes can carry it (no CSRF), and it is gone when the tab closes.
  get: () => sessionStorage.getItem(KEY),
  set: (k) => sessionStorage.setItem(KEY, k),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || ('HTTP ' + status));
    this.status = status;
    this.body = body;
  }
}

/** Calls the documented API with the admin key; throws ApiError with the server's message. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Authorization: 'Bearer ' + (auth.get() || '') };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = { error: text }; }
  if (r.status === 401) { auth.clear(); window.dispatchEvent(new Event('catchment:signedout')); }
  if (!r.ok) throw new ApiError(r.status, json);
  return json;
}

export function errorBox(e) {
  const field = e.body && e.body.field ? ' (field ' + e.body.field + ')' : '';
  return h('div', { class: 'error', role: 'alert' }, String(e.message || e) + field);
}

export function fmt(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toLocaleString('en-US', { maximumFractionDigits: 4 });
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function csvCell(v) {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export function csv(columns, rows) {
  return [columns.map(csvCell).join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';
}

export function download(name, text, type = 'text/csv') {
  const a = h('a', { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}

/** A table of rows (arrays) with a CSV download button; numbers right-aligned. */
export function table(columns, rows, { name = 'table', caption, csvColumns } = {}) {
  const numeric = columns.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === 'number'));
  const t = h('table', {},
    caption ? h('caption', { class: 'sr-only' }, caption) : null,
    h('thead', {}, h('tr', {}, columns.map((c, i) => h('th', { scope: 'col', class: numeric[i] ? 'num' : null }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((v, i) => h('td', { class: numeric[i] ? 'num' : null }, fmt(v)))))));
  const button = h('button', { type: 'button', class: 'secondary', onclick: () => download(name + '.csv', csv(csvColumns || columns, rows)) }, 'Download CSV');
  return h('div', {}, h('div', { class: 'scroll' }, t), h('div', { class: 'row', style: 'margin-top:.5rem' }, button));
}

const COLORS = ['#2f6fdf', '#e8710a', '#1e7b34', '#b3261e', '#7b3fd1', '#0b7f86', '#9c6500', '#c2185b', '#455a64', '#5d4037', '#00897b', '#6d4c41'];

/** A line chart of series [{label, data: [[isoTime, value], …]}] over the same buckets. */
export function lineChart(el, buckets, series, { bars = false, timezone } = {}) {
  el.replaceChildren();
  if (!buckets.length) return;
  const xs = buckets.map((t) => Date.parse(t) / 1000);
  const data = [xs, ...series.map((s) => s.data.map((p) => p[1]))];
  // the view is not in the page yet when a report first draws: size the chart to <main>
  const width = Math.max(320, el.clientWidth || (document.getElementById('main').clientWidth || 1000) - 40);
  const opts = {
    width, height: 320,
    // axis labels in the report's zone, not the browser's
    tzDate: timezone ? (ts) => window.uPlot.tzDate(new Date(ts * 1000), timezone) : undefined,
    scales: { x: { time: true } },
    series: [{}, ...series.map((s, i) => ({
      label: s.label, stroke: COLORS[i % COLORS.length], width: 2,
      fill: bars ? COLORS[i % COLORS.length] + '55' : undefined,
      paths: bars && window.uPlot.paths && window.uPlot.paths.bars ? window.uPlot.paths.bars({ size: [0.7, 60] }) : undefined,
      points: { show: buckets.length < 60 },
    }))],
    axes: [{}, { values: (u, vals) => vals.map((v) => fmt(v)) }],
  };
  return new window.uPlot(opts, data, el);
}

/** Reads and writes the page's state in the URL (#/page?state=…), so any view can be bookmarked. */
export const state = {
  get() {
    const q = location.hash.split('?')[1] || '';
    const s = new URLSearchParams(q).get('s');
    try { return s ? JSON.parse(s) : null; } catch { return null; }
  },
  set(obj) {
    const page = location.hash.split('?')[0] || '#/';
    history.replaceState(null, '', page + '?s=' + encodeURIComponent(JSON.stringify(obj)));
  },
};

export function labelled(text, control) {
  return h('label', {}, text, control);
}

export function isoDay(d) {
  return d.toISOString().slice(0, 10);
}

/** Date presets for report forms: last 7, 30, 90 days; this and last month. */
export function rangeFields(s) {
  const today = new Date();
  const minus = (n) => isoDay(new Date(today.getTime() - n * 86400000));
  const from = h('input', { type: 'date', name: 'from', value: s.from || minus(29) });
  const to = h('input', { type: 'date', name: 'to', value: s.to || isoDay(today) });
  const tz = h('input', { name: 'timezone', value: s.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', size: 16 });
  const preset = h('select', { name: 'preset', onchange: () => {
    const v = preset.value;
    if (!v) return;
    from.value = minus(Number(v) - 1);
    to.value = isoDay(today);
  } }, h('option', { value: '' }, 'custom'), h('option', { value: '7' }, 'last 7 days'), h('option', { value: '30' }, 'last 30 days'), h('option', { value: '90' }, 'last 90 days'));
  return { el: h('fieldset', {}, h('legend', {}, 'Time'), labelled('Range', preset), labelled('From', from), labelled('To', to), labelled('Time zone', tz)),
    read: () => ({ from: from.value, to: to.value, timezone: tz.value }) };
}

/** Event names for pickers, from the analytics API (cached per page load). */
let names;
export async function eventNames() {
  if (!names) names = api('/v1/analytics/events/names?days=3660').then((r) => r.events.filter((e) => e.event).map((e) => e.event));
  return names;
}

export function datalist(id, values) {
  return h('datalist', { id }, values.map((v) => h('option', { value: v })));
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
  const width = Math.max(320, (el.clientWidth || document.getElementById('main').clientWidth || 1000) - (el.clientWidth ? 0 : 40));
  new window.uPlot({
    width, height: 300,
    scales: { x: times ? { time: true } : { time: false, range: () => [-0.5, xs.length - 0.5] } },
    series: [{ label: columns[0] }, ...columns.filter((_, i) => numeric[i]).map((c, k) => ({ label: c, stroke: COLORS[k % COLORS.length], width: 2,
      // categories as bars, times as lines
      fill: times ? undefined : COLORS[k % COLORS.length] + '55', paths: times ? undefined : window.uPlot.paths.bars({ size: [0.6, 80] }) }))],
    axes: [times ? {} : { values: (u, vals) => vals.map((v) => (Number.isInteger(v) && ordered[v] ? String(ordered[v][0]).slice(0, 16) : '')) }, {}],
  }, data, el);
  return true;
}

/** A button that adds a tile (a report's request or an SQL query) to a dashboard, creating it if needed. */
export function addToDashboard(kind, request, title) {
  const name = h('input', { list: 'dashboard-names', size: 14, 'aria-label': 'dashboard name' });
  const list = h('datalist', { id: 'dashboard-names' });
  api('/v1/dashboards').then((r) => list.replaceChildren(...r.dashboards.map((d) => h('option', { value: d.name })))).catch(() => {});
  const done = h('span', { class: 'muted', role: 'status' });
  const add = async () => {
    const n = name.value.trim();
    if (!n) { name.focus(); return; }
    const all = (await api('/v1/dashboards')).dashboards;
    const found = all.find((d) => d.name === n);
    const id = found ? found.id : (n.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 64) || 'dashboard');
    const tiles = [...(found ? found.tiles : []), { kind, request: request(), title: title() }];
    await api('/v1/dashboards/' + id, { method: 'PUT', body: { name: n, tiles } });
    done.replaceChildren('Added to ', h('a', { href: '#/dashboards/' + id }, n), '.');
  };
  return h('div', { class: 'row' }, name, list, h('button', { type: 'button', class: 'secondary', id: 'add-to-dashboard', onclick: add }, 'Add to dashboard'), done);
}
