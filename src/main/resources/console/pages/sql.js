import { h, api, table, errorBox, download, labelled, addToDashboard } from '../ui.js';
import { resultChart } from '../chart.js';

export const title = 'SQL';
const HISTORY = 'catchment.sqlHistory';

export async function render(view) {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const editor = h('textarea', { id: 'sql', spellcheck: 'false', 'aria-describedby': 'sql-help' },
    params.get('q') || 'SELECT event, count(*) AS events FROM events GROUP BY event ORDER BY events DESC LIMIT 20');
  const out = h('div', {});
  const historyList = h('ul', {});
  let last = null;
  function showHistory() {
    const items = JSON.parse(localStorage.getItem(HISTORY) || '[]');
    historyList.replaceChildren(...items.map((q) => h('li', {}, h('button', { type: 'button', class: 'link', onclick: () => { editor.value = q; run(); } }, q.length > 120 ? q.slice(0, 120) + '…' : q))));
  }
  async function run() {
    const sql = editor.value;
    history.replaceState(null, '', '#/sql?q=' + encodeURIComponent(sql));
    out.replaceChildren(h('p', { class: 'muted' }, 'Running…'));
    try {
      const r = await api('/v1/query', { method: 'POST', body: { sql } });
      last = r;
      const items = [sql, ...JSON.parse(localStorage.getItem(HISTORY) || '[]').filter((q) => q !== sql)].slice(0, 20);
      localStorage.setItem(HISTORY, JSON.stringify(items));
      showHistory();
      const chartBox = h('div', { class: 'chart', id: 'result-chart' });
      out.replaceChildren(
        h('p', { class: 'muted', id: 'sql-summary' }, r.rows.length.toLocaleString('en-US') + (r.rows.length === 1 ? ' row' : ' rows') + ' in ' + r.elapsed_ms + ' ms' + (r.truncated ? ' (truncated at query.max_rows)' : '')),
        table(r.columns.map((c) => c.name), r.rows, { name: 'query', types: r.columns.map((c) => c.type), pageSize: 100 }),
        h('div', { class: 'row', style: 'margin-top:.5rem' }, h('button', { type: 'button', id: 'chart-result', class: 'secondary', onclick: () => {
          if (!resultChart(chartBox, r.columns.map((c) => c.name), r.rows)) chartBox.replaceChildren(h('p', { class: 'muted' }, 'Nothing to chart: no number column after the first.'));
        } }, 'Chart'), h('button', { type: 'button', class: 'secondary', onclick: () => download('query.json', JSON.stringify(r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]])))), 'application/json') }, 'Download JSON')),
        chartBox,
        addToDashboard('sql', () => ({ sql }), () => sql.slice(0, 80)));
    } catch (e) {
      out.replaceChildren(errorBox(e));
    }
  }
  editor.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); } });
  view.append(h('h1', {}, 'SQL'),
    h('div', { class: 'card' }, labelled('Query (one read-only SELECT; Ctrl+Enter runs it)', editor),
      h('p', { id: 'sql-help', class: 'muted' }, 'Tables: events, one per event name, identifies, users… (see Schema).'),
      h('div', { class: 'row' }, h('button', { type: 'button', id: 'run', onclick: run }, 'Run'))),
    out, h('h2', {}, 'History'), historyList);
  showHistory();
  if (params.get('q')) await run();
}
