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

/**
 * A view that holds what the admin typed (the configuration's form), kept aside when the service
 * refused the token under it (one expired while the form was being edited): the next sign-in shows
 * it again as it was, instead of drawing it afresh from what is stored. Leaving a view for the sign-in
 * page for any other reason (signing out, a token turned away before any call) drops it.
 */
let interrupted = null;
let expiryTimer;

function signIn(reason, { keepView = false } = {}) {
  // On the sign-in page already (a token pasted or linked was turned away), what was set aside stays.
  const pane = $('view').firstElementChild;
  if (pane) interrupted = keepView && VIEWS[pane.dataset.view]?.keepsInput ? pane : null;
  clearTimeout(expiryTimer);
  session.forget();
  $('views').hidden = true;
  $('session').hidden = true;
  $('session-expiry').textContent = '';
  show($('view'));
  delete $('view').dataset.ready;
  $('sign-in').hidden = false;
  $('sign-in-reason').hidden = !reason;
  $('sign-in-reason').textContent = reason ?? '';
  if (interrupted) {
    $('sign-in-reason').textContent += ' What you typed in the configuration is kept: sign in again to go on with it.';
  }
  $('token').focus();
}

/** Says in the header when the token has expired: the next call will ask to sign in again. */
function showExpiry() {
  const expiry = session.expiry();
  $('session-expiry').textContent = `Token valid until ${expiry.toLocaleString()}`;
  clearTimeout(expiryTimer);
  const left = expiry.getTime() - Date.now();
  // A delay beyond setTimeout's limit (about 24 days) would fire at once.
  if (left < 2 ** 31 - 1) {
    expiryTimer = setTimeout(() => {
      $('session-expiry').textContent = `Token expired at ${expiry.toLocaleString()}: sign in again to save`;
    }, Math.max(0, left));
  }
}

/** Shows again the view set aside at the last refusal, when it is `view`'s; true if it did. */
function resumeInterrupted(view) {
  const pane = interrupted;
  interrupted = null;
  if (!pane || pane.dataset.view !== view) return false;
  pane.prepend(el('p', { class: 'notice', role: 'status' },
    'Signed in again: the form is as you left it. Nothing was saved while the token was refused.'));
  show($('view'), pane);
  $('view').dataset.ready = view;
  return true;
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
  showExpiry();
  const name = /^#\/(\w+)/.exec(location.hash)?.[1];
  const view = Object.hasOwn(VIEWS, name ?? '') ? name : 'status';
  document.querySelectorAll('#views a').forEach((link) => {
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  });
  document.title = `${view[0].toUpperCase()}${view.slice(1)} · Mail service console`;
  if (resumeInterrupted(view)) return;
  // Each render draws into a pane of its own. A route taken while one is still waiting for its data
  // (a hash change, a sign-in) replaces the pane, and what the overtaken render draws or fails with
  // then goes nowhere: only the latest view is ever shown.
  const pane = el('div', { 'data-view': view });
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

api.onSignedOut((reason) => signIn(reason, { keepView: true }));
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
  // Back to the view set aside, if any (its address is still the one shown), else to the status.
  if (!interrupted) location.hash = '#/status';
  route();
});
$('sign-out').addEventListener('click', () => signIn('Signed out.'));
// A link opened in a tab that shows the console already changes the fragment only.
const arrive = () => {
  session.takeFromFragment(interrupted?.dataset.view ?? 'status');
  route();
};
window.addEventListener('hashchange', arrive);
arrive();
