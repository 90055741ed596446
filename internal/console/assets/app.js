// app.js: the console's entry point: the secure-context check, the header
// (who is signed in, the navigation, "Sign out"), and the hash router that
// renders one page into <main> and moves focus to its <h1>. Routes carry
// names only (#/users/alice), never anything secret.

import { onChange, identity, signOut } from './session.js';
import { h, replace, silence } from './ui.js';
import { renderSignIn } from './signin.js';
import { renderUsers, renderUser } from './users.js';
import { renderGroups, renderGroup } from './groups.js';
import { renderPolicies, renderPolicy } from './policies.js';
import { renderSimulator } from './simulator.js';
import { renderReport } from './report.js';
import { renderMe } from './me.js';

const routes = [
  [/^\/users$/, renderUsers, '#/users'],
  [/^\/users\/([^/]+)$/, renderUser, '#/users'],
  [/^\/groups$/, renderGroups, '#/groups'],
  [/^\/groups\/([^/]+)$/, renderGroup, '#/groups'],
  [/^\/policies$/, renderPolicies, '#/policies'],
  [/^\/policies\/([^/]+)$/, renderPolicy, '#/policies'],
  [/^\/simulator$/, renderSimulator, '#/simulator'],
  [/^\/credential-report$/, renderReport, '#/credential-report'],
  [/^\/me$/, renderMe, '#/me'],
];

const main = document.getElementById('main');
const header = document.getElementById('topbar');

/** page is what a render function fills: title(text, kind) makes the <h1>, body takes the rest. */
function makePage() {
  const body = h('div', { class: 'page-body' });
  return {
    body,
    title(text, kind) {
      // kind ("User", "Group", "Managed policy") is a plain label, not a
      // link: the header's navigation is the one way back to the lists.
      body.before(...[kind ? h('p', { class: 'eyebrow', text: kind }) : null, h('h1', { tabindex: '-1', text })].filter(Boolean));
      document.title = `${text} · Latchkey`;
    },
  };
}

function defaultRoute() {
  return identity()?.isRoot ? '#/users' : '#/me';
}

function route() {
  if (!identity() || identity().PasswordResetRequired) return;
  if (!location.hash.startsWith('#/') || location.hash === '#/') {
    location.replace(defaultRoute());
    return;
  }
  const raw = location.hash.slice(1);
  for (const [re, render, nav] of routes) {
    const m = re.exec(raw);
    let params;
    try {
      params = m?.slice(1).map(decodeURIComponent);
    } catch {
      params = undefined; // a malformed %-escape: not found
    }
    if (!params) continue;
    const page = makePage();
    replace(main, page.body);
    for (const a of header.querySelectorAll('nav a')) {
      if (a.getAttribute('href') === nav) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    render(page, ...params);
    main.querySelector('h1')?.focus();
    return;
  }
  const page = makePage();
  replace(main, page.body);
  page.title('Page not found');
  page.body.append(h('p', {}, 'There is no page at this address. ', h('a', { href: defaultRoute(), text: 'Go to the console' })));
  main.querySelector('h1').focus();
}

function showConsole() {
  const me = identity();
  replace(document.getElementById('who'), h('span', { class: 'muted', text: 'Signed in as ' }),
    h('code', { text: me.Arn }), me.AccountAlias ? h('span', { class: 'muted', text: ` (${me.AccountAlias})` }) : null);
  header.hidden = false;
  route();
}

function showSignIn(message) {
  header.hidden = true;
  silence();
  renderSignIn(main, message);
  main.querySelector('h1').focus();
}

function start() {
  if (!window.isSecureContext) {
    document.getElementById('skip').remove();
    replace(main, h('p', { class: 'alert alert-error', role: 'alert',
      text: 'The console needs HTTPS, or localhost: the browser only offers its cryptography to secure pages.' }));
    return;
  }
  document.getElementById('sign-out').addEventListener('click', () => {
    // The next person to sign in starts on their own default page.
    history.replaceState(null, '', location.pathname);
    signOut('You signed out.');
  });
  document.getElementById('skip').addEventListener('click', (e) => {
    e.preventDefault();
    (main.querySelector('h1') ?? main).focus();
  });
  onChange(({ signedIn, message }) => {
    if (!signedIn) showSignIn(message);
    else if (!identity().PasswordResetRequired) showConsole();
  });
  window.addEventListener('hashchange', route);
  showSignIn('');
}

start();
