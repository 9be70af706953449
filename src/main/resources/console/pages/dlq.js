import { h, api, table, errorBox, labelled } from '../ui.js';

export const title = 'Dead letters';

export async function render(view) {
  const reason = h('input', { id: 'reason', placeholder: 'text in the reason' });
  const all = h('input', { id: 'all', type: 'checkbox' });
  const out = h('div', {});
  const detail = h('div', { class: 'detail' });
  async function load(e) {
    if (e) e.preventDefault();
    try {
      const r = await api('/v1/dlq?limit=200' + (reason.value ? '&reason=' + encodeURIComponent(reason.value) : '') + (all.checked ? '&all=true' : ''));
      const byReason = {};
      for (const d of r.dead_letters) byReason[d.reason] = (byReason[d.reason] || 0) + 1;
      if (!r.dead_letters.length) {
        out.replaceChildren(h('p', { class: 'muted' }, r.pending + ' pending. No dead letters' + (reason.value ? ' with that reason' : '') + (all.checked ? '' : ' waiting') + '.'));
        return;
      }
      out.replaceChildren(h('p', {}, r.pending + ' pending'),
        table(['reason', 'count'], Object.entries(byReason), { name: 'dead-letter-reasons' }),
        h('h2', {}, 'Dead letters'),
        h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {}, ['table', 'event id', 'reason', 'last failed', 'replayed', ''].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, r.dead_letters.map((d) => h('tr', {}, h('td', {}, d.table || ''), h('td', {}, d.event_id || ''), h('td', {}, d.reason), h('td', {}, d.last_failed_at), h('td', {}, d.replayed_at || ''),
            h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => show(d) }, 'inspect'))))))));
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  }
  function show(d) {
    const act = async (what) => {
      if (!confirm((what === 'replay' ? 'Replay' : 'Purge') + ' dead letter ' + d.key + '?')) return;
      try {
        await api('/v1/dlq/' + what, { method: 'POST', body: { keys: [d.key] } });
        detail.replaceChildren(h('p', {}, what === 'replay' ? 'Replayed.' : 'Purged.'));
        await load();
      } catch (err) {
        detail.replaceChildren(errorBox(err));
      }
    };
    detail.replaceChildren(h('div', { class: 'card' }, h('h2', {}, 'Dead letter ' + d.key), h('p', {}, d.reason), h('pre', {}, JSON.stringify(d.event, null, 2)),
      h('div', { class: 'row' }, h('button', { type: 'button', onclick: () => act('replay') }, 'Replay'), h('button', { type: 'button', class: 'secondary', onclick: () => act('purge') }, 'Purge'))));
  }
  view.append(h('h1', {}, 'Dead letters'), h('form', { class: 'row card', onsubmit: load }, labelled('Reason contains', reason), labelled('Include replayed', all), h('button', { type: 'submit' }, 'Filter')), out, detail);
  await load();
}
