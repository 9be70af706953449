// Small helpers shared by the pages: elements, the API with the admin key, tables with CSV, report forms (charts are in chart.js).

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

/** A cell's text; a long word (a path, a column name) may break after its / _ . and : rather than widen the table. */
function cellText(v) {
  const s = fmt(v);
  if (typeof v !== 'string' || s.length <= 20 || /\s/.test(s)) return s;
  return s.split(/(?<=[/_.:])/).flatMap((part, i) => (i ? [h('wbr'), part] : [part]));
}

/**
 * A table of rows (arrays) with a CSV download button (every row); numbers right-aligned. {@code types} puts each
 * column's type under its name; {@code pageSize} shows that many rows at a time, with previous and next buttons.
 */
export function table(columns, rows, { name = 'table', caption, csvColumns, types, pageSize = 0 } = {}) {
  const numeric = columns.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === 'number'));
  const body = h('tbody', {});
  const t = h('table', {},
    caption ? h('caption', { class: 'sr-only' }, caption) : null,
    h('thead', {}, h('tr', {}, columns.map((c, i) => h('th', { scope: 'col', class: numeric[i] ? 'num' : null }, c,
      types ? h('span', { class: 'type' }, h('span', { class: 'sr-only' }, ', '), types[i]) : null)))),
    body);
  const button = h('button', { type: 'button', class: 'secondary', onclick: () => download(name + '.csv', csv(csvColumns || columns, rows)) }, 'Download CSV');
  const size = pageSize > 0 ? pageSize : Math.max(1, rows.length);
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const status = h('span', { class: 'muted', role: 'status' });
  const prev = h('button', { type: 'button', class: 'secondary', onclick: () => show(page - 1) }, '← Previous');
  const next = h('button', { type: 'button', class: 'secondary', onclick: () => show(page + 1) }, 'Next →');
  let page = 0;
  function show(p) {
    page = Math.max(0, Math.min(pages - 1, p));
    const first = page * size;
    body.replaceChildren(...rows.slice(first, first + size).map((r) => h('tr', {}, r.map((v, i) => h('td', { class: numeric[i] ? 'num' : null }, cellText(v))))));
    status.textContent = 'Rows ' + (rows.length ? first + 1 : 0) + '–' + Math.min(rows.length, first + size) + ' of ' + rows.length.toLocaleString('en-US');
    // a button that just ran out of pages hands the focus to the other one, instead of dropping it on the page
    const moving = document.activeElement;
    prev.disabled = page === 0;
    next.disabled = page === pages - 1;
    if (moving && moving.disabled) (moving === prev ? next : prev).focus();
  }
  show(0);
  const paging = pages > 1 ? [prev, next, status] : [];
  return h('div', { class: 'paged' }, h('div', { class: 'scroll' }, t), h('div', { class: 'row', style: 'margin-top:.5rem' }, button, ...paging));
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

export function labelled(text, ...controls) {
  return h('label', {}, text, ...controls);
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

/** A button that adds a tile (a report's request or an SQL query, and how to draw it) to a dashboard, creating it if
 * needed. */
export function addToDashboard(kind, request, title, extra = () => ({})) {
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
    const tiles = [...(found ? found.tiles : []), { kind, request: request(), title: title(), ...extra() }];
    await api('/v1/dashboards/' + id, { method: 'PUT', body: { name: n, tiles } });
    done.replaceChildren('Added to ', h('a', { href: '#/dashboards/' + id }, n), '.');
  };
  return h('div', { class: 'row add-dashboard' }, name, list, h('button', { type: 'button', class: 'secondary', id: 'add-to-dashboard', onclick: add }, 'Add to dashboard'), done);
}
