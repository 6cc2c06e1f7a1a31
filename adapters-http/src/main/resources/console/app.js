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
 * A form with unsaved changes (the configuration's), set aside when it left the screen: another view
 * was opened, or the token under it stopped working (the service refused it, it expired during the
 * edit, or a new console link came). Back on its view, the same user gets it again as it was,
 * instead of the view drawn afresh; after a new token, only once the service has taken that token.
 * Signing out, or another user signing in, drops it.
 */
let setAside = null;
let expiryTimer;
/** Counts the routes taken: a route that waited for the service can tell that another began meanwhile. */
let routes = 0;

/**
 * The view on screen when it holds a form with unsaved changes, with its view and user, and whether
 * a new token is to be checked before it comes back; else null.
 */
function unsaved({ newToken }) {
  const pane = $('view').firstElementChild;
  return pane?.querySelector('form[data-unsaved]')
    ? { pane, view: pane.dataset.view, user: session.user(), newToken } : null;
}

/** Whether the form set aside still holds changes not saved. */
function stillUnsaved(aside) {
  return aside.pane.querySelector('form[data-unsaved]') !== null;
}

/** Sets aside the form on screen, if any, or marks the one set aside already, for a new token. */
function setAsideForANewToken() {
  setAside = unsaved({ newToken: true }) ?? (setAside && { ...setAside, newToken: true });
}

function signIn(reason, { keepForm = false } = {}) {
  // A route still waiting for the service (a kept form's token check) ends with nothing drawn.
  routes++;
  // From the sign-in page itself (a token pasted or linked was turned away), what was set aside stays.
  if ($('view').firstElementChild) {
    if (keepForm) setAsideForANewToken(); else setAside = null;
  }
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
  $('sign-in-kept').hidden = !setAside;
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
      $('session-expiry').textContent = `Token expired at ${expiry.toLocaleString()}: the next step asks to sign `
        + 'in again, and keeps the form being edited';
    }, Math.max(0, left));
  }
}

/**
 * Shows again the form set aside, when it is `view`'s and the same user's; true when it did, or when
 * the route is over otherwise (the service refused the new token: the sign-in page shows; or
 * another route began).
 */
async function resume(view, stillCurrent) {
  const aside = setAside;
  // Another user's, or saved since it was set aside (a Save answered after its view was left): not kept.
  if (aside && (aside.user !== session.user() || !stillUnsaved(aside))) setAside = null;
  if (!setAside || aside.view !== view) return false;
  if (aside.newToken) {
    // Its claims were read, not checked: anyone at the tab could make up a token that names the user.
    try {
      await api.status();
    } catch (refusal) {
      // Refused, the sign-in page shows and the form stays set aside. Not answered, the form comes
      // back all the same: its Save checks the token.
      if (refusal.status === 401 || refusal.status === 403) return true;
    }
    if (!stillCurrent()) return true;
  }
  setAside = null;
  aside.pane.querySelector('#resumed')?.remove();
  const notice = el('p', { id: 'resumed', class: 'notice', role: 'status', tabindex: '-1' },
    `${aside.newToken ? 'Signed in again: the' : 'The'} form is as you left it, not saved yet.`);
  aside.pane.prepend(notice);
  show($('view'), aside.pane);
  $('view').dataset.ready = view;
  notice.focus();
  return true;
}

async function route() {
  const token = session.current();
  const refusal = token ? session.refusalOf(token) : 'Sign in with an admin token.';
  if (refusal) {
    // An expired token met on the way to another view: the form being edited is kept all the same.
    signIn(token ? refusal : null, { keepForm: true });
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
  const turn = ++routes;
  // The form on screen, unless set aside already (a new console link's token, to be checked).
  const leaving = unsaved({ newToken: false });
  if (leaving && leaving.pane !== setAside?.pane) setAside = leaving;
  if (await resume(view, () => turn === routes)) return;
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
    // The view is no live region (a screen reader would read a whole table out): its heading takes
    // the focus instead, which says where the reader is, and starts the keyboard's way through it.
    const heading = pane.querySelector('h2');
    heading?.setAttribute('tabindex', '-1');
    heading?.focus();
    // When the view's data is on screen, from the navigation's start: what the benchmark reads.
    if (performance.getEntriesByName('view-ready', 'mark').length === 0) performance.mark('view-ready');
  } catch (error) {
    if (current() && (!(error instanceof api.Refusal) || (error.status !== 401 && error.status !== 403))) {
      show(pane, el('p', { class: 'problem', role: 'alert' }, error.message));
    }
  }
}

api.onSignedOut((reason) => signIn(reason, { keepForm: true }));
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
  // Back to the form set aside, if any, else to the status; a changed address routes by its hashchange.
  const target = `#/${setAside?.view ?? 'status'}`;
  if (location.hash === target) route(); else location.hash = target;
});
$('sign-out').addEventListener('click', () => {
  setAside = null;
  signIn('Signed out.');
});
// A link opened in a tab that shows the console already changes the fragment only: a new token for
// the form being edited, if any.
const arrive = () => {
  if (session.linkArrived()) {
    if ($('view').firstElementChild) setAsideForANewToken();
    session.takeFromFragment(setAside?.view ?? 'status');
  }
  route();
};
window.addEventListener('hashchange', arrive);
// The link of the view on screen draws it again, with what the service holds now.
document.querySelectorAll('#views a').forEach((link) => link.addEventListener('click', (event) => {
  if (link.getAttribute('href') === location.hash) {
    event.preventDefault();
    route();
  }
}));
// A reload or a closed tab would lose a form with unsaved changes: the browser asks first.
window.addEventListener('beforeunload', (event) => {
  if (unsaved({ newToken: false }) || (setAside && stillUnsaved(setAside))) {
    event.preventDefault();
    event.returnValue = ''; // what browsers before Chrome 119 ask for
  }
});
arrive();
