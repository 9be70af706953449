import { h, api, errorBox, state, rangeFields, eventNames, datalist, labelled, table, addToDashboard } from '../ui.js';
import { propertyField, filterRows, filterRequest, filterState, daysSince } from '../pickers.js';

export const title = 'Retention';

export async function render(view) {
  const s = state.get() || { interval: 'week', periods: 8, first_time: true };
  const names = await eventNames();
  // the two selections, edited in place by their fields and filter rows
  const sels = ['start', 'return'].map((k) => ({ event: (s[k] && s[k].event) || '', filters: ((s[k] && s[k].filters) || []).map(filterState) }));
  const days = () => daysSince(range.read().from);
  const start = h('input', { id: 'start', list: 'ret-names', value: sels[0].event, required: true, oninput: () => { sels[0].event = start.value; } });
  const ret = h('input', { id: 'return', list: 'ret-names', value: sels[1].event, required: true, oninput: () => { sels[1].event = ret.value; } });
  // a retention breakdown is a property of the start event
  const breakdown = propertyField('Breakdown', { id: 'breakdown', value: (s.breakdown && s.breakdown.property) || '', size: 14 }, () => sels.slice(0, 1));
  const interval = h('select', { id: 'interval' }, ['day', 'week', 'month'].map((v) => h('option', { value: v, selected: v === s.interval || undefined }, v)));
  const periods = h('input', { id: 'periods', type: 'number', min: 1, max: 120, value: s.periods || 8, size: 4 });
  const first = h('input', { id: 'first', type: 'checkbox', checked: s.first_time === false ? undefined : true });
  const range = rangeFields(s);
  const out = h('div', { id: 'result' });
  async function run(e) {
    if (e) e.preventDefault();
    const [from, to] = sels.map((x) => {
      const filters = x.filters.filter((f) => f.property).map(filterRequest);
      return filters.length ? { event: x.event, filters } : { event: x.event };
    });
    const req = { ...range.read(), start: from, return: to, interval: interval.value, periods: Number(periods.value), first_time: first.checked };
    if (breakdown.input.value) req.breakdown = { property: breakdown.input.value };
    state.set(req);
    out.replaceChildren(h('p', { class: 'muted' }, 'Running…'));
    try {
      const r = await api('/v1/analytics/retention', { method: 'POST', body: req });
      const head = ['cohort', 'people', ...Array.from({ length: r.periods }, (_, k) => r.interval + ' ' + (k + 1))];
      // one grid and table per breakdown value, or one for everybody
      const groups = r.breakdown ? r.breakdown : [{ value: null, ...r }];
      out.replaceChildren(...groups.flatMap((g) => {
        const lines = [...g.cohorts, { cohort: 'all', ...g.overall }];
        const grid = h('table', { class: 'heat' }, h('caption', { class: 'sr-only' }, 'retention, percent of each cohort'),
          h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, lines.map((c) => h('tr', {}, h('th', { scope: 'row' }, c.cohort), h('td', { class: 'num' }, c.size),
            ...c.percent.slice(1).map((p) => h('td', { class: 'num' + (p !== null && p > 50 ? ' dark' : ''), style: p === null ? '' : 'background:rgba(47,111,223,' + (0.08 + 0.8 * p / 100).toFixed(2) + ')' }, p === null ? '' : p.toFixed(1) + '%'))))));
        return [r.breakdown ? h('h2', {}, req.breakdown.property + ' = ' + (g.value === null ? '(not set)' : g.value)) : null, h('div', { class: 'scroll card' }, grid),
          table(['cohort', 'people', ...head.slice(2)], lines.map((c) => [c.cohort, c.size, ...c.retained.slice(1)]), { name: 'retention', caption: 'retained people' })];
      }).filter(Boolean),
        addToDashboard('retention', () => req, () => req.start.event + ' → ' + req.return.event));
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  }
  view.append(h('h1', {}, 'Retention'), h('form', { class: 'report card', onsubmit: run },
    h('fieldset', { class: 'selection' }, h('legend', {}, 'Start'), h('div', { class: 'fields' }, labelled('Start event', start), labelled('First time only', first)), filterRows(sels[0], 'start', days)),
    h('fieldset', { class: 'selection' }, h('legend', {}, 'Return'), h('div', { class: 'fields' }, labelled('Return event', ret)), filterRows(sels[1], 'return', days)),
    h('fieldset', {}, h('legend', {}, 'Cohorts'), labelled('Interval', interval), labelled('Periods', periods), breakdown.el),
    range.el, datalist('ret-names', names), h('button', { type: 'submit', id: 'run' }, 'Run')), out);
  if (state.get()) await run();
}
