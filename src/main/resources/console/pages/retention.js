import { h, api, errorBox, state, rangeFields, eventNames, datalist, labelled, table, addToDashboard } from '../ui.js';

export const title = 'Retention';

export async function render(view) {
  const s = state.get() || { interval: 'week', periods: 8, first_time: true };
  const names = await eventNames();
  const start = h('input', { id: 'start', list: 'ret-names', value: (s.start && s.start.event) || '', required: true });
  const ret = h('input', { id: 'return', list: 'ret-names', value: (s.return && s.return.event) || '', required: true });
  const interval = h('select', { id: 'interval' }, ['day', 'week', 'month'].map((v) => h('option', { value: v, selected: v === s.interval || undefined }, v)));
  const periods = h('input', { id: 'periods', type: 'number', min: 1, max: 120, value: s.periods || 8, size: 4 });
  const first = h('input', { id: 'first', type: 'checkbox', checked: s.first_time === false ? undefined : true });
  const range = rangeFields(s);
  const out = h('div', { id: 'result' });
  async function run(e) {
    if (e) e.preventDefault();
    const req = { ...range.read(), start: { event: start.value }, return: { event: ret.value }, interval: interval.value, periods: Number(periods.value), first_time: first.checked };
    state.set(req);
    out.replaceChildren(h('p', { class: 'muted' }, 'Running…'));
    try {
      const r = await api('/v1/analytics/retention', { method: 'POST', body: req });
      const head = ['cohort', 'people', ...Array.from({ length: r.periods }, (_, k) => r.interval + ' ' + (k + 1))];
      const lines = [...r.cohorts, { cohort: 'all', ...r.overall }];
      const grid = h('table', { class: 'heat' }, h('caption', { class: 'sr-only' }, 'retention, percent of each cohort'),
        h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, lines.map((c) => h('tr', {}, h('th', { scope: 'row' }, c.cohort), h('td', { class: 'num' }, c.size),
          ...c.percent.slice(1).map((p) => h('td', { class: 'num', style: p === null ? '' : 'background:rgba(47,111,223,' + (0.08 + 0.8 * p / 100).toFixed(2) + ')' }, p === null ? '' : p.toFixed(1) + '%'))))));
      out.replaceChildren(h('div', { class: 'scroll card' }, grid),
        table(['cohort', 'people', ...head.slice(2)], lines.map((c) => [c.cohort, c.size, ...c.retained.slice(1)]), { name: 'retention', caption: 'retained people' }),
        addToDashboard('retention', () => req, () => req.start.event + ' → ' + req.return.event));
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  }
  view.append(h('h1', {}, 'Retention'), h('form', { class: 'report card', onsubmit: run },
    h('fieldset', {}, h('legend', {}, 'Events'), labelled('Start event', start), labelled('Return event', ret), labelled('First time only', first)),
    h('fieldset', {}, h('legend', {}, 'Cohorts'), labelled('Interval', interval), labelled('Periods', periods)),
    range.el, datalist('ret-names', names), h('button', { type: 'submit', id: 'run' }, 'Run')), out);
  if (state.get()) await run();
}
