import { h, api, table, errorBox, state, rangeFields, eventNames, datalist, labelled, fmt, addToDashboard } from '../ui.js';
import { propertyField, filterRows, filterRequest, filterState, daysSince } from '../pickers.js';

export const title = 'Funnels';

export async function render(view) {
  const s = state.get() || { steps: [{ event: '' }, { event: '' }], window: '7d' };
  const names = await eventNames();
  const steps = s.steps.map((x) => ({ ...x, filters: (x.filters || []).map(filterState) }));
  const days = () => daysSince(range.read().from);
  const rows = h('div', { class: 'row steps' });
  function draw() {
    rows.replaceChildren(...steps.map((x, i) => {
      const ev = h('input', { id: 'step-' + i, list: 'funnel-names', value: x.event || '', required: true, oninput: () => { x.event = ev.value; } });
      return h('fieldset', { class: 'selection' }, h('legend', {}, 'Step ' + (i + 1)), h('div', { class: 'fields' }, labelled('Event', ev),
        steps.length > 2 ? h('button', { type: 'button', class: 'secondary', 'aria-label': 'remove step ' + (i + 1), onclick: () => { steps.splice(i, 1); draw(); } }, '×') : null),
      filterRows(x, 'step-' + i, days));
    }));
  }
  const win = h('input', { id: 'window', value: s.window || '7d', size: 6 });
  const order = h('select', { id: 'order' }, ['loose', 'strict'].map((v) => h('option', { value: v, selected: v === s.order || undefined }, v)));
  // a funnel's breakdown is a property of its first step's event
  const breakdown = propertyField('Breakdown', { id: 'breakdown', value: (s.breakdown && s.breakdown.property) || '', size: 14 }, () => steps.slice(0, 1));
  const range = rangeFields(s);
  const out = h('div', { id: 'result' });
  const dropped = h('div', { id: 'dropped' });
  let req;
  async function run(e) {
    if (e) e.preventDefault();
    req = { ...range.read(), steps: steps.map((x) => {
      const filters = x.filters.filter((f) => f.property).map(filterRequest);
      return filters.length ? { event: x.event, filters } : { event: x.event };
    }), window: win.value, order: order.value };
    if (breakdown.input.value) req.breakdown = { property: breakdown.input.value };
    state.set(req);
    dropped.replaceChildren();
    out.replaceChildren(h('p', { class: 'muted' }, 'Running…'));
    try {
      const r = await api('/v1/analytics/funnels', { method: 'POST', body: req });
      const groups = r.breakdown ? r.breakdown : [{ value: null, ...r }];
      out.replaceChildren(...groups.map((g) => h('div', { class: 'card' },
        r.breakdown ? h('h2', {}, req.breakdown.property + ' = ' + (g.value === null ? '(not set)' : g.value)) : null,
        ...g.steps.map((st) => h('div', { style: 'margin:.4rem 0' },
          h('div', { class: 'row' }, h('strong', {}, st.step + '. ' + st.label), h('span', {}, fmt(st.count) + ' people'),
            h('span', { class: 'muted' }, st.conversion === null ? '' : (100 * st.conversion).toFixed(1) + '% of step 1'),
            st.step < g.steps.length && st.count > 0 && !r.breakdown
              ? h('button', { type: 'button', class: 'link', onclick: () => showDropped(st.step) }, 'who dropped after this step') : null),
          h('div', { class: 'funnel-bar', style: 'width:' + Math.max(1, 100 * (st.conversion || 0)) + '%', role: 'img', 'aria-label': fmt(st.count) + ' people' }))),
        table(['step', 'event', 'people', 'conversion %', 'from previous %', 'dropped', 'median s from previous'],
          g.steps.map((st) => [st.step, st.label, st.count, st.conversion === null ? null : +(100 * st.conversion).toFixed(2), st.from_previous === null ? null : +(100 * st.from_previous).toFixed(2), st.dropped, st.median_seconds_from_previous]),
          { name: 'funnel', caption: 'funnel steps' }),
        h('p', { class: 'muted' }, 'Median time to convert: ' + fmt(g.median_seconds_to_convert) + ' s'))),
        addToDashboard('funnels', () => req, () => req.steps.map((x) => x.event).join(' → ')));
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  }
  async function showDropped(k) {
    try {
      const r = await api('/v1/analytics/funnels', { method: 'POST', body: { ...req, dropped_at: k } });
      dropped.replaceChildren(h('h2', {}, 'Dropped after step ' + k), h('ul', {}, r.people.map((p) => h('li', {}, h('a', { href: '#/users/' + encodeURIComponent(p) }, p)))));
    } catch (err) {
      dropped.replaceChildren(errorBox(err));
    }
  }
  draw();
  view.append(h('h1', {}, 'Funnels'), h('form', { class: 'report card', onsubmit: run }, rows,
    h('button', { type: 'button', class: 'secondary', onclick: () => { if (steps.length < 10) { steps.push({ event: '', filters: [] }); draw(); } } }, 'Add step'),
    h('fieldset', {}, h('legend', {}, 'Conversion'), labelled('Window', win), labelled('Order', order), breakdown.el),
    range.el, datalist('funnel-names', names), h('button', { type: 'submit', id: 'run' }, 'Run')), out, dropped);
  if (state.get()) await run();
}
