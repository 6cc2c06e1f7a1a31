// The console's shell: sign-in, the session's expiry, and a view for each address (#/status,
// #/configuration, #/sends). Plain modules from the service itself: nothing inline, nothing built.

import * as api from './api.js';
import * as session from './session.js';
import * as status from './status.js';
import * as configuration from './configuration.js';
import * as sends from './sends.js';
import { el, show } from './dom.js';

const VIEWS = { status, configuration, sends };
const $ = (id) => document.getElementById(id);

function signIn(reason) {
  session.forget();
  $('views').hidden = true;
  $('session').hidden = true;
  $('session-expiry').textContent = '';
  show($('view'));
  $('sign-in').hidden = false;
  $('sign-in-reason').hidden = !reason;
  $('sign-in-reason').textContent = reason ?? '';
  $('token').focus();
}

async function route() {
  const token = session.current();
  const refusal = token ? session.refusalOf(token) : 'Sign in with an admin token.';
  if (refusal) {
    signIn(token ? refusal : null);
    return;
  }
  $('sign-in').hidden = true;
  $('views').hidden = false;
  $('session').hidden = false;
  $('session-expiry').textContent = `Token valid until ${session.expiry().toLocaleString()}`;
  const name = /^#\/(\w+)/.exec(location.hash)?.[1];
  const view = Object.hasOwn(VIEWS, name ?? '') ? name : 'status';
  document.querySelectorAll('#views a').forEach((link) => {
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  });
  document.title = `${view[0].toUpperCase()}${view.slice(1)} · Mail service console`;
  // Each render draws into a pane of its own. A route taken while one is still waiting for its data
  // (a hash change, a sign-in) replaces the pane, and what the overtaken render draws or fails with
  // then goes nowhere: only the latest view is ever shown.
  const pane = el('div');
  show($('view'), pane);
  delete $('view').dataset.ready;
  const current = () => pane.parentNode === $('view');
  try {
    await VIEWS[view].render(pane);
    if (!current()) return;
    $('view').dataset.ready = view;
    // When the view's data is on screen, from the navigation's start: what the benchmark reads.
    if (performance.getEntriesByName('view-ready', 'mark').length === 0) performance.mark('view-ready');
  } catch (error) {
    if (current() && (!(error instanceof api.Refusal) || (error.status !== 401 && error.status !== 403))) {
      show(pane, el('p', { class: 'problem', role: 'alert' }, error.message));
    }
  }
}

api.onSignedOut(signIn);
$('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('token').value.trim();
  const refusal = session.refusalOf(token);
  if (refusal) {
    signIn(refusal);
    return;
  }
  session.keep(token);
  $('token').value = '';
  location.hash = '#/status';
  route();
});
$('sign-out').addEventListener('click', () => signIn('Signed out.'));
// A link opened in a tab that shows the console already changes the fragment only.
const arrive = () => {
  session.takeFromFragment();
  route();
};
window.addEventListener('hashchange', arrive);
arrive();
