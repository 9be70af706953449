// Property pickers for the report forms: the columns of the chosen event's table (GET /v1/schema) offered as you type,
// and a property's most common values (POST /v1/analytics/properties/values). Any other text can still be typed: the
// API takes a column name or a key under properties, context or traits, and says which table lacks it.
import { h, api, labelled } from './ui.js';

/** Tables the per-event layout owns (io.catchment.schema.Names): an event named like one gets a track_ prefix. */
const RESERVED = new Set(['events', 'identifies', 'pages', 'screens', 'groups', 'aliases', 'users', 'tracks']);
const KINDS = { identify: 'identifies', page: 'pages', screen: 'screens', group: 'groups', alias: 'aliases' };
const OPS = [['eq', '='], ['neq', '≠'], ['in', 'in'], ['not_in', 'not in'], ['contains', 'contains'], ['not_contains', 'does not contain'],
  ['lt', '<'], ['lte', '≤'], ['gt', '>'], ['gte', '≥'], ['is_set', 'is set'], ['is_not_set', 'is not set'], ['regex', 'matches']];
const NUMBER = /INT|DOUBLE|FLOAT|DECIMAL|REAL|NUMERIC/i;

let schema = null;
let fetched = 0;
/** Every table's columns [{name, type}] by table name; read again after a minute (new columns arrive with events). */
function tables() {
  if (!schema || Date.now() - fetched > 60000) {
    fetched = Date.now();
    schema = api('/v1/schema?changes=0').then((s) => new Map(s.tables.map((t) => [t.name, t.columns]))).catch(() => new Map());
  }
  return schema;
}

/** As io.catchment.schema.Names.sanitize: lower case, each run of other characters than [a-z0-9] one _, none at the ends. */
function sanitize(raw) {
  let out = '';
  let gap = false;
  for (let c of raw) {
    if (c >= 'A' && c <= 'Z') c = c.toLowerCase();
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (gap && out) out += '_';
      gap = false;
      out += c;
    } else gap = true;
  }
  return out;
}

/** The columns of the table a selection ({event} or {type}) reads: its event's table in the per-event layout, else
 * events (every event, the single-table layout, or an event not loaded yet). */
async function columnsOf(sel, all) {
  let name = 'events';
  if (sel && sel.event) {
    name = sanitize(sel.event) || 'unnamed_event';
    if (/^[0-9]/.test(name) || RESERVED.has(name)) name = 'track_' + name;
  } else if (sel && KINDS[sel.type]) name = KINDS[sel.type];
  if (name.length > 63) {
    // a long name ends in a hash of the whole name: the table that starts with its kept prefix
    const prefix = name.slice(0, 54) + '_';
    name = [...all.keys()].find((t) => t.startsWith(prefix)) || 'events';
  }
  return all.get(name) || all.get('events') || [];
}

/** Columns that every one of the selections has (a trends breakdown must be in each series' table), properties first. */
export async function commonColumns(sels, { numeric = false } = {}) {
  const all = await tables();
  const lists = await Promise.all((sels.length ? sels : [{}]).map((s) => columnsOf(s, all)));
  const rank = (c) => (c.name.startsWith('properties_') ? 0 : c.name.startsWith('context_') || c.name.startsWith('traits_') ? 1 : 2);
  return lists[0]
    .filter((c) => lists.every((l) => l.some((d) => d.name === c.name)))
    .filter((c) => !numeric || NUMBER.test(c.type))
    .sort((a, b) => rank(a) - rank(b));
}

/**
 * A text input for a property with the columns of {@code sels()}' tables offered in its datalist (filled now and again
 * on focus, as the chosen events change). The returned label holds the input and its list.
 */
export function propertyField(text, attrs, sels, { numeric = false } = {}) {
  const list = h('datalist', { id: attrs.id + '-columns' });
  const input = h('input', { ...attrs, list: list.id, autocomplete: 'off' });
  const fill = () => commonColumns(sels(), { numeric })
    .then((cols) => list.replaceChildren(...cols.map((c) => h('option', { value: c.name, label: c.name + ' · ' + c.type }))));
  input.addEventListener('focus', fill);
  fill();
  return { input, el: labelled(text, input, list) };
}

/** The API's filter for a filter row: in and not_in take comma-separated values, is_set and is_not_set none. */
export function filterRequest(f) {
  const o = { property: f.property, op: f.op || 'eq' };
  if (o.op === 'in' || o.op === 'not_in') o.values = String(f.value || '').split(',').map((v) => v.trim()).filter((v) => v !== '');
  else if (o.op !== 'is_set' && o.op !== 'is_not_set') o.value = f.value === undefined ? '' : f.value;
  return o;
}

/** A filter row's fields from the API's filter (a URL's state). */
export function filterState(f) {
  return { property: f.property || '', op: f.op || 'eq', value: f.values ? f.values.join(', ') : f.value === undefined ? '' : String(f.value) };
}

/**
 * The filter rows of one selection {@code sel} ({event} or {type}, with {filters: [{property, op, value}]}), edited in
 * place: property (the event's columns), operator, value (the property's most common values over {@code days()} days
 * offered). Returns an element that redraws itself as rows are added and removed.
 */
export function filterRows(sel, prefix, days) {
  const box = h('div', { class: 'filters' });
  sel.filters = sel.filters || [];
  const add = h('button', { type: 'button', class: 'secondary small', id: prefix + '-add-filter', onclick: () => {
    sel.filters.push({ property: '', op: 'eq', value: '' });
    draw();
    document.getElementById(prefix + '-f' + (sel.filters.length - 1) + '-property').focus();
  } }, '+ Filter');
  function row(f, j) {
    const id = prefix + '-f' + j;
    const prop = propertyField('Where', { id: id + '-property', value: f.property, size: 14, placeholder: 'property', oninput: () => { f.property = prop.input.value; } }, () => [sel]);
    const values = h('datalist', { id: id + '-values' });
    const value = h('input', { id: id + '-value', list: values.id, value: f.value, size: 12, autocomplete: 'off', oninput: () => { f.value = value.value; } });
    const valueLabel = labelled('Value', value, values);
    const op = h('select', { id: id + '-op', onchange: () => { f.op = op.value; valueLabel.hidden = /is_(not_)?set/.test(f.op); } },
      OPS.map(([v, t]) => h('option', { value: v, selected: v === f.op || undefined }, t)));
    valueLabel.hidden = /is_(not_)?set/.test(f.op);
    value.addEventListener('focus', async () => {
      // only for a column the table has, found as the API finds it (Columns.find): anything else would be a 400
      const cols = new Set((await commonColumns([sel])).map((c) => c.name));
      const key = sanitize(f.property);
      if (![f.property, key, 'properties_' + key, 'context_' + key, 'traits_' + key].some((c) => cols.has(c))) { values.replaceChildren(); return; }
      const body = { ...(sel.event ? { event: sel.event } : { type: sel.type || 'any' }), property: f.property, days: days(), limit: 20 };
      try {
        const r = await api('/v1/analytics/properties/values', { method: 'POST', body });
        values.replaceChildren(...r.values.map((v) => h('option', { value: String(v.value), label: v.value + ' · ' + v.count })));
      } catch {
        values.replaceChildren();
      }
    });
    const remove = h('button', { type: 'button', class: 'secondary', 'aria-label': 'remove filter ' + (j + 1), onclick: () => { sel.filters.splice(j, 1); draw(); } }, '×');
    return h('div', { class: 'row filter' }, prop.el, labelled('Operator', op), valueLabel, remove);
  }
  function draw() { box.replaceChildren(...sel.filters.map(row), add); }
  draw();
  return box;
}

/** Days back from today to the first day of a report's range (for value suggestions over about the report's time). */
export function daysSince(from) {
  const d = Math.ceil((Date.now() - Date.parse(from)) / 86400000) + 1;
  return Number.isFinite(d) ? Math.max(1, Math.min(3660, d)) : 30;
}
