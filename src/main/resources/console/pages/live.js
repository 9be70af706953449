import { h, api, errorBox, eventNames, datalist, labelled } from '../ui.js';

export const title = 'Live events';

export async function render(view) {
  const event = h('input', { id: 'live-event', list: 'live-names', placeholder: 'every event' });
  const pause = h('button', { type: 'button', class: 'secondary', 'aria-pressed': 'false' }, 'Pause');
  const list = h('div', {});
  let paused = false;
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(paused));
  });
  async function refresh() {
    if (paused) return;
    try {
      const body = { limit: 50 };
      if (event.value) body.event = event.value;
      const r = await api('/v1/analytics/events/live', { method: 'POST', body });
      list.replaceChildren(...r.events.map((e) => h('details', { class: 'card' },
        h('summary', {}, h('strong', {}, e.event || e.type), ' ', h('span', { class: 'muted' }, e.timestamp + ' · ' + (e.user_id || e.anonymous_id || '') + ' · ' + (e.source || ''))),
        h('pre', {}, JSON.stringify(e, null, 2)))));
      if (!r.events.length) list.replaceChildren(h('p', { class: 'muted' }, 'No events yet.'));
    } catch (err) {
      list.replaceChildren(errorBox(err));
    }
  }
  event.addEventListener('change', refresh);
  view.append(h('h1', {}, 'Live events'), h('div', { class: 'row card' }, labelled('Event', event), datalist('live-names', await eventNames()), pause), list);
  await refresh();
  const timer = setInterval(refresh, 2000);
  return () => clearInterval(timer);
}
