import { h, api, errorBox, labelled, fmt } from '../ui.js';

export const title = 'Users';

export async function render(view, path) {
  const id = path[0] ? decodeURIComponent(path[0]) : null;
  const q = h('input', { id: 'search', type: 'search', size: 30, placeholder: 'id, email, any trait value', value: new URLSearchParams(location.hash.split('?')[1] || '').get('q') || '' });
  const found = h('div', {});
  async function search(e) {
    if (e) e.preventDefault();
    if (!q.value) return;
    history.replaceState(null, '', '#/users?q=' + encodeURIComponent(q.value));
    try {
      const r = await api('/v1/analytics/users?search=' + encodeURIComponent(q.value));
      found.replaceChildren(r.people.length ? h('ul', {}, r.people.map((p) => h('li', {}, h('a', { href: '#/users/' + encodeURIComponent(p.id) }, p.id), ' ', h('span', { class: 'muted' }, JSON.stringify(p.traits))))) : h('p', { class: 'muted' }, 'Nobody found.'));
    } catch (err) {
      found.replaceChildren(errorBox(err));
    }
  }
  view.append(h('h1', {}, id ? 'User ' + id : 'Users'), h('form', { class: 'row card', onsubmit: search }, labelled('Find people', q), h('button', { type: 'submit' }, 'Search')), found);
  if (!id) { if (q.value) await search(); return; }
  const [p, page] = await Promise.all([api('/v1/analytics/users/' + encodeURIComponent(id)), api('/v1/analytics/users/' + encodeURIComponent(id) + '/events?limit=50')]);
  const timeline = h('div', { id: 'timeline' });
  let next = page.next;
  const more = h('button', { type: 'button', class: 'secondary', hidden: !next || undefined }, 'Older events');
  function add(events) {
    timeline.append(...events.map((e) => h('details', { class: 'card' },
      h('summary', {}, h('strong', {}, e.event || e.type), ' ', h('span', { class: 'muted' }, e.timestamp + ' · ' + (e.source || '') + ' · ' + (e.user_id || e.anonymous_id || ''))),
      h('pre', {}, JSON.stringify(e, null, 2)))));
  }
  more.addEventListener('click', async () => {
    const r = await api('/v1/analytics/users/' + encodeURIComponent(id) + '/events?limit=50&before=' + encodeURIComponent(next));
    add(r.events);
    next = r.next;
    more.hidden = !next;
  });
  add(page.events);
  view.append(h('div', { class: 'grid' },
    h('div', { class: 'stat' }, h('div', { class: 'k' }, 'Person'), h('div', { class: 'v', id: 'person' }, p.id)),
    h('div', { class: 'stat' }, h('div', { class: 'k' }, 'Events'), h('div', { class: 'v' }, fmt(p.events))),
    h('div', { class: 'stat' }, h('div', { class: 'k' }, 'First seen'), h('div', {}, p.first_seen || '')),
    h('div', { class: 'stat' }, h('div', { class: 'k' }, 'Last seen'), h('div', {}, p.last_seen || ''))),
  h('h2', {}, 'Identities'), h('p', { id: 'ids' }, p.ids.join(', ')),
  h('h2', {}, 'Traits'), h('pre', {}, JSON.stringify(p.traits, null, 2)),
  h('h2', {}, 'Sources'), h('p', {}, p.sources.map((s) => s.source + ' (' + s.events + ')').join(', ')),
  h('h2', {}, 'Events, newest first'), timeline, more);
}
