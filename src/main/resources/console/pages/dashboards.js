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
      body.replaceChildren(table(['step', 'people', 'conversion %'], r.steps.map((s) => [s.label, s.count, s.conversion === null ? null : +(100 * s.conversion).toFixed(1)]), { name: 'funnel' }));
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
  const grid = h('div', { class: 'tiles', id: 'tiles' });
  async function draw() {
    // the tiles first, so that each chart can take its tile's width
    const bodies = d.tiles.map(() => h('div', { class: 'chart' }));
    grid.replaceChildren(...d.tiles.map((t, i) => h('div', { class: 'card tile' }, h('h2', {}, t.title || t.kind), bodies[i])));
    await Promise.all(d.tiles.map((t, i) => tile(t, bodies[i])));
  }
  view.append(h('h1', {}, d.name), h('p', { class: 'muted' }, d.tiles.length + ' tiles, refreshed every minute'), grid,
    h('button', { type: 'button', class: 'secondary', onclick: async () => {
      if (!confirm('Delete dashboard ' + d.name + '?')) return;
      await api('/v1/dashboards/' + encodeURIComponent(id), { method: 'DELETE' });
      location.hash = '#/dashboards';
    } }, 'Delete dashboard'));
  setTimeout(() => draw().catch(() => {}), 0); // once the view is in the page
  const timer = setInterval(() => draw().catch(() => {}), 60000);
  return () => clearInterval(timer);
}
