import { h, api, table, fmt } from '../ui.js';
import { timeChart } from '../chart.js';

export const title = 'Home';

function stat(label, value) {
  return h('div', { class: 'stat' }, h('div', { class: 'k' }, label), h('div', { class: 'v' }, value));
}

export async function render(view) {
  const stats = h('div', { class: 'grid' });
  const chart = h('div', { class: 'chart', 'aria-label': 'events per minute, last hour' });
  const top = h('div', {});
  view.append(h('h1', {}, 'Home'), stats, h('h2', {}, 'Events per minute, last hour'), h('div', { class: 'card' }, chart),
    h('h2', {}, 'Top events, last 24 hours'), top);
  // the numbers first: the page shows as soon as they are in, the chart follows
  async function numbers() {
    const [s, names] = await Promise.all([api('/v1/status'), api('/v1/analytics/events/names?days=1')]);
    const ev = s.events_since_start || {};
    stats.replaceChildren(
      stat('Accepted since start', fmt(ev.accepted)), stat('Loaded', fmt(ev.loaded)), stat('In flight', fmt(ev.in_flight)),
      stat('Loader lag (records)', fmt(s.loader && s.loader.lag_records)), stat('Dead letters pending', fmt(s.dead_letters_pending)),
      stat('Log on disk', fmt(Math.round((s.log && s.log.bytes || 0) / 1048576)) + ' MB'),
      stat('Loader', s.loader && s.loader.stalled ? 'stalled' : s.loader && s.loader.last_error ? 'retrying' : 'ok'));
    top.replaceChildren(names.events.length ? table(['event', 'type', 'events', 'last seen'],
      names.events.slice(0, 15).map((e) => [e.event, e.type, e.count, e.last_seen]), { name: 'top-events' }) : h('p', { class: 'muted' }, 'No events in the last 24 hours.'));
  }
  async function perMinute() {
    const now = new Date();
    const from = new Date(now.getTime() - 59 * 60000);
    const t = await api('/v1/analytics/trends', { method: 'POST', body: {
      series: [{ type: 'any', label: 'events' }], interval: 'minute', timezone: 'UTC',
      from: from.toISOString().slice(0, 16) + ':00Z', to: now.toISOString() } });
    timeChart(chart, t.buckets, t.series, { mode: 'bars', interval: 'minute', timezone: 'UTC' });
  }
  const refresh = () => Promise.all([numbers(), perMinute()]);
  perMinute().catch(() => {});
  await numbers();
  const timer = setInterval(() => refresh().catch(() => {}), 10000);
  return () => clearInterval(timer);
}
