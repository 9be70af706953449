import { h, api, table } from '../ui.js';

export const title = 'Schema';

export async function render(view) {
  const s = await api('/v1/schema?changes=200');
  const filter = h('input', { id: 'schema-filter', type: 'search', placeholder: 'table or column' });
  const list = h('div', {});
  function show() {
    const q = filter.value.toLowerCase();
    list.replaceChildren(...s.tables.filter((t) => !q || t.name.includes(q) || t.columns.some((c) => c.name.includes(q))).map((t) => {
      const conflicts = t.columns.filter((c) => /__(string|double|bigint|bool|ts|json)$/.test(c.name));
      return h('details', { class: 'card', open: s.tables.length <= 3 || undefined },
        h('summary', {}, h('strong', {}, t.name), ' ', h('span', { class: 'muted' }, t.columns.length + ' columns' + (conflicts.length ? ', ' + conflicts.length + (conflicts.length === 1 ? ' type-conflict sibling' : ' type-conflict siblings') : ''))),
        table(['column', 'type', 'source key', 'first seen', 'last seen'], t.columns.map((c) => [c.name, c.type, c.source, c.first_seen, c.last_seen]), { name: t.name + '-columns' }));
    }));
  }
  filter.addEventListener('input', show);
  view.append(h('h1', {}, 'Schema'), h('label', { for: 'schema-filter', class: 'filter-box' }, 'Filter', filter), list,
    h('h2', {}, 'Schema changes'),
    table(Object.keys(s.changes[0] || { changed_at: 0 }), s.changes.map((c) => Object.values(c)), { name: 'schema-changes' }));
  show();
}
