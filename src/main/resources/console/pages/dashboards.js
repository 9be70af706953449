import { h, api, errorBox, table, labelled } from '../ui.js';
import { timeChart, resultChart } from '../chart.js';

export const title = 'Dashboards';

/** Draws one tile into its (attached) body: a report through the analytics API or an SQL chart. */
async function tile(t, body) {
  try {
    if (t.kind === 'sql') {
      const r = await api('/v1/query', { method: 'POST', body: t.request });
      if (!resultChart(body, r.columns.map((c) => c.name), r.rows)) body.replaceChildren(table(r.columns.map((c) => c.name), r.rows, { name: 'tile' }));
    } else if (t.kind === 'trends') {
      const r = await api('/v1/analytics/trends', { method: 'POST', body: t.request });
      timeChart(body, r.buckets, [...r.series, ...(r.formulas || [])], { mode: t.chart, interval: r.interval, timezone: r.timezone });
    } else if (t.kind === 'funnels') {
      const r = await api('/v1/analytics/funnels', { method: 'POST', body: t.request });
      const steps = (r.breakdown ? r.breakdown[0] || { steps: [] } : r).steps;
      body.replaceChildren(table(['step', 'people', 'conversion %'], steps.map((s) => [s.label, s.count, s.conversion === null ? null : +(100 * s.conversion).toFixed(1)]), { name: 'funnel' }));
    } else if (t.kind === 'retention') {
      const r = await api('/v1/analytics/retention', { method: 'POST', body: t.request });
      const overall = (r.breakdown ? r.breakdown[0] || { overall: { percent: [] } } : r).overall;
      body.replaceChildren(table(['period', 'retained %'], overall.percent.map((p, k) => [r.interval + ' ' + k, p === null ? null : +p.toFixed(1)]), { name: 'retention' }));
    }
  } catch (e) {
    body.replaceChildren(errorBox(e));
  }
}

export async function render(view, path) {
  const id = path[0] ? decodeURIComponent(path[0]) : null;
  if (!id) {
    const r = await api('/v1/dashboards');
    const name = h('input', { id: 'new-name', required: true });
    view.append(h('h1', {}, 'Dashboards'),
      r.dashboards.length ? h('ul', { id: 'dashboards' }, r.dashboards.map((d) => h('li', {}, h('a', { href: '#/dashboards/' + encodeURIComponent(d.id) }, d.name), ' ', h('span', { class: 'muted' }, d.tiles.length + ' tiles')))) : h('p', { class: 'muted' }, 'No dashboards yet: add a report or an SQL chart to one from its page.'),
      h('form', { class: 'row card', onsubmit: async (e) => {
        e.preventDefault();
        const slug = name.value.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 64) || 'dashboard';
        await api('/v1/dashboards/' + slug, { method: 'PUT', body: { name: name.value, tiles: [] } });
        location.hash = '#/dashboards/' + slug;
      } }, labelled('New dashboard', name), h('button', { type: 'submit' }, 'Create')));
    return;
  }
  const d = await api('/v1/dashboards/' + encodeURIComponent(id));
  view.append(h('h1', {}, d.name));
  const status = h('span', { class: 'muted', role: 'status', id: 'dashboard-status' });
  const grid = h('div', { class: 'tiles', id: 'tiles' });
  // each tile's card is made once: moving one reorders the cards and keeps their charts
  const cards = new Map();
  // saves one after another, each with the tiles as they are when it starts: two quick moves cannot land out of order
  let saving = Promise.resolve();
  function save(what) {
    status.textContent = 'Saving…';
    saving = saving.then(async () => {
      try {
        await api('/v1/dashboards/' + encodeURIComponent(id), { method: 'PUT', body: { name: d.name, tiles: d.tiles } });
        status.textContent = what + ', saved.';
      } catch (e) {
        status.replaceChildren(errorBox(e));
      }
    });
  }
  function move(t, by, button) {
    const i = d.tiles.indexOf(t);
    const j = i + by;
    if (j < 0 || j >= d.tiles.length) return;
    d.tiles.splice(i, 1);
    d.tiles.splice(j, 0, t);
    arrange();
    // the button keeps the focus, so that pressing it again moves the tile further
    if (button) (button.disabled ? cards.get(t).querySelector('.tile-tools button:not(:disabled)') : button).focus();
    save('Moved "' + (t.title || t.kind) + '" to place ' + (j + 1));
  }
  function card(t) {
    const name = t.title || t.kind;
    const body = h('div', { class: 'chart' });
    const earlier = h('button', { type: 'button', class: 'secondary small', 'aria-label': 'Move ' + name + ' earlier', title: 'Move earlier', onclick: () => move(t, -1, earlier) }, '←');
    const later = h('button', { type: 'button', class: 'secondary small', 'aria-label': 'Move ' + name + ' later', title: 'Move later', onclick: () => move(t, 1, later) }, '→');
    const remove = h('button', { type: 'button', class: 'secondary small', 'aria-label': 'Remove ' + name, title: 'Remove from the dashboard', onclick: () => {
      if (!confirm('Remove "' + name + '" from ' + d.name + '?')) return;
      d.tiles.splice(d.tiles.indexOf(t), 1);
      cards.delete(t);
      arrange();
      save('Removed "' + name + '"');
    } }, '×');
    const head = h('div', { class: 'tile-head', draggable: 'true', title: 'Drag onto another tile to put it there' }, h('h2', {}, name), h('div', { class: 'tile-tools' }, earlier, later, remove));
    const c = h('div', { class: 'card tile' }, head, body);
    // dragging a tile by its head onto another puts it in that one's place (the buttons do the same from the keyboard)
    head.addEventListener('dragstart', (e) => { e.dataTransfer.setData('text/plain', String(d.tiles.indexOf(t))); e.dataTransfer.effectAllowed = 'move'; });
    c.addEventListener('dragover', (e) => e.preventDefault());
    c.addEventListener('drop', (e) => {
      e.preventDefault();
      const from = Number(e.dataTransfer.getData('text/plain'));
      const moving = d.tiles[from];
      if (moving && moving !== t) move(moving, d.tiles.indexOf(t) - from, null);
    });
    c.body = body;
    return c;
  }
  function arrange() {
    for (const t of d.tiles) if (!cards.has(t)) cards.set(t, card(t));
    grid.replaceChildren(...d.tiles.map((t) => cards.get(t)));
    d.tiles.forEach((t, i) => {
      const [earlier, later] = cards.get(t).querySelectorAll('.tile-tools button');
      earlier.disabled = i === 0;
      later.disabled = i === d.tiles.length - 1;
    });
    count.textContent = d.tiles.length + (d.tiles.length === 1 ? ' tile' : ' tiles');
    empty.hidden = d.tiles.length > 0;
  }
  const refreshed = h('span', { class: 'muted', id: 'refreshed' });
  async function refresh() {
    await Promise.all(d.tiles.map((t) => tile(t, cards.get(t).body)));
    refreshed.textContent = 'updated ' + new Date().toLocaleTimeString('en-GB');
  }
  // how often the tiles are drawn again: in the URL (#/dashboards/ID?refresh=300), every minute unless it says
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const every = h('select', { id: 'refresh' }, [[0, 'off'], [30, '30 s'], [60, '1 min'], [300, '5 min'], [900, '15 min']]
    .map(([v, text]) => h('option', { value: v, selected: String(v) === (params.get('refresh') || '60') || undefined }, text)));
  let timer = null;
  function schedule() {
    clearInterval(timer);
    const seconds = Number(every.value);
    timer = seconds > 0 ? setInterval(() => refresh().catch(() => {}), seconds * 1000) : null;
  }
  every.addEventListener('change', () => {
    history.replaceState(null, '', '#/dashboards/' + encodeURIComponent(id) + (every.value === '60' ? '' : '?refresh=' + every.value));
    schedule();
  });
  const count = h('span', { class: 'muted' });
  const empty = h('p', { class: 'muted' }, 'No tiles yet: add a report or an SQL chart from its page with "Add to dashboard".');
  view.append(h('div', { class: 'row dashboard-bar' }, count, labelled('Refresh', every), h('button', { type: 'button', class: 'secondary', id: 'refresh-now', onclick: () => refresh().catch(() => {}) }, 'Refresh now'), refreshed, status),
    grid, empty,
    h('button', { type: 'button', class: 'secondary', onclick: async () => {
      if (!confirm('Delete dashboard ' + d.name + '?')) return;
      await api('/v1/dashboards/' + encodeURIComponent(id), { method: 'DELETE' });
      location.hash = '#/dashboards';
    } }, 'Delete dashboard'));
  arrange();
  setTimeout(() => refresh().catch(() => {}), 0); // once the view is in the page, so that each chart takes its tile's width
  schedule();
  return () => clearInterval(timer);
}
