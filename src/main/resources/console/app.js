// The console: one page per hash route (#/trends?s=…), each rendered by its module into <main>.
import { h, api, auth, errorBox } from './ui.js';

const PAGES = {
  '': () => import('./pages/home.js'),
  trends: () => import('./pages/trends.js'),
  funnels: () => import('./pages/funnels.js'),
  retention: () => import('./pages/retention.js'),
  users: () => import('./pages/users.js'),
  live: () => import('./pages/live.js'),
  sql: () => import('./pages/sql.js'),
  schema: () => import('./pages/schema.js'),
  dlq: () => import('./pages/dlq.js'),
  dashboards: () => import('./pages/dashboards.js'),
};

const main = document.getElementById('main');
const signout = document.getElementById('signout');
let cleanup = null;

function login(message) {
  signout.hidden = true;
  const key = h('input', { id: 'key', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'card login', onsubmit: async (e) => {
    e.preventDefault();
    auth.set(key.value.trim());
    try {
      await api('/v1/status');
      route(true);
    } catch (err) {
      auth.clear();
      login(err.status === 401 || err.status === 403 ? 'That key is not the admin key.' : String(err.message));
    }
  } },
  h('h1', {}, 'Sign in'),
  h('p', { class: 'muted' }, 'The console reads with the admin key (admin_key in catchment.yaml, or the key generated in the data directory). It stays in this tab only.'),
  message ? h('div', { class: 'error', role: 'alert' }, message) : null,
  h('label', { for: 'key' }, 'Admin key', key),
  h('div', { class: 'row', style: 'margin-top:.8rem' }, h('button', { type: 'submit' }, 'Sign in')));
  main.replaceChildren(form);
  key.focus();
}

async function route(opened = false) {
  if (cleanup) { cleanup(); cleanup = null; }
  if (!auth.get()) return login();
  signout.hidden = false;
  const path = (location.hash.replace(/^#\/?/, '').split('?')[0] || '').split('/');
  const name = path[0];
  for (const a of document.querySelectorAll('nav a')) {
    const active = a.getAttribute('href') === '#/' + name;
    a.classList.toggle('active', active);
    if (active) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const load = PAGES[name];
  if (!load) { main.replaceChildren(h('h1', {}, 'No such page'), h('p', {}, h('a', { href: '#/' }, 'Home'))); return; }
  main.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  try {
    const mod = await load();
    const view = h('div', {});
    cleanup = (await mod.render(view, path.slice(1))) || null;
    main.replaceChildren(view);
    document.title = (mod.title || 'Catchment') + ' · Catchment';
    // when the page's content is in (ConsoleIT times the home page by it, from the navigation's start)
    performance.mark('catchment:ready:' + (name || 'home'));
    // a page opened from the menu (or a link) takes the focus, so that Tab goes on into it, not on through the menu
    if (opened) main.focus({ preventScroll: true });
  } catch (e) {
    if (e.status === 401) return login('Signed out: the key was refused.');
    main.replaceChildren(errorBox(e));
  }
}

signout.addEventListener('click', () => { auth.clear(); login(); });
window.addEventListener('catchment:signedout', () => login('Signed out: the key was refused.'));
window.addEventListener('hashchange', () => route(true));
route();
