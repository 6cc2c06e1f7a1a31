// The configuration view: the stored configuration as a form (a stored secret left empty, sent back
// as the service's placeholder, which keeps it), verified step by step, tried with a test mail, and
// saved, with the stored fields the form does not show kept as they are.

import * as api from './api.js';
import { el, show } from './dom.js';

/** The fields of each OAuth 2.0 kind; secrets are entered as the password is (a private key's lines hidden too). */
const KINDS = {
  microsoft: [['tenantId', 'Tenant (directory) ID'], ['clientId', 'Application (client) ID'],
    ['clientSecret', 'Client secret', 'secret']],
  google: [['clientEmail', 'Service account e-mail'], ['privateKey', 'Private key (PEM)', 'secret-long'],
    ['tokenUri', 'Token URI']],
  refreshToken: [['tokenUrl', 'Token URL'], ['clientId', 'Client ID'], ['clientSecret', 'Client secret', 'secret'],
    ['refreshToken', 'Refresh token', 'secret'], ['scope', 'Scope']],
};

/** The top-level fields the form shows; any other stored field is sent back as it was read. */
const SHOWN = ['host', 'port', 'username', 'password', 'fromEmail', 'secure', 'oauth2'];
/** What the service shows in place of a secret, and of what HIDE_SECRET_CONFIG hides; sent back, it keeps the value. */
const PLACEHOLDER = '****************';

/**
 * A field of the form. A value the service hid (HIDE_SECRET_CONFIG) is not put in the field, where
 * typing would add to the placeholder: the field is empty, says so, and keeps the value when left empty.
 */
function input(name, label, value, { type = 'text', hint, required = false, long = false } = {}) {
  const id = `field-${name.replace('.', '-')}`;
  // A browser fills a password field it may not: "new-password" keeps it from offering the admin's own.
  const autocomplete = type === 'password' ? 'new-password' : 'off';
  const describedBy = hint && `${id}-hint`;
  const control = long
    ? el('textarea', { id, name, rows: 4, spellcheck: 'false', required, autocomplete, 'aria-describedby': describedBy,
      class: type === 'password' ? 'secret' : undefined })
    : el('input', { id, name, type, required, autocomplete, spellcheck: 'false', 'aria-describedby': describedBy });
  if (value === PLACEHOLDER && type !== 'password') {
    control.dataset.stored = value;
    control.placeholder = 'Hidden: leave empty to keep it';
  } else {
    control.value = value ?? '';
  }
  return el('div', { 'data-field': name },
    el('label', { for: id }, label), control,
    hint && el('p', { class: 'hint', id: `${id}-hint` }, hint),
    el('p', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true }));
}

/**
 * A secret's field, empty: typing into a field that showed the placeholder would send the
 * placeholder and the typing together as the new secret. When one is stored, the field says so and
 * keeps it when left empty; removing it takes the box beside it, never an emptied field.
 */
function secretInput(name, label, storedValue, { long = false, hint } = {}) {
  const field = input(name, label, '', { type: 'password', long, hint });
  if (storedValue) {
    const control = field.querySelector('input, textarea');
    control.dataset.stored = storedValue;
    control.placeholder = 'Stored: leave empty to keep it';
    const remove = el('input', { id: `${control.id}-remove`, name: `${name}.remove`, type: 'checkbox' });
    field.append(el('div', { class: 'check' }, remove,
      el('label', { for: remove.id }, `Remove the stored ${label.toLowerCase()}`)));
  }
  return field;
}

/** The form's values as the save and verify routes take them, over the stored fields it does not show. */
function valuesOf(form, stored) {
  const value = (name) => form.elements[name]?.value.trim() || form.elements[name]?.dataset.stored || undefined;
  // As typed (a space at either end of a password is part of it); left empty, the stored one's placeholder.
  const secret = (name) => {
    const control = form.elements[name];
    if (!control) return undefined;
    if (control.value) return control.value;
    return control.dataset.stored && !form.elements[`${name}.remove`]?.checked ? control.dataset.stored : undefined;
  };
  const configuration = Object.fromEntries(Object.entries(stored).filter(([name]) => !SHOWN.includes(name)));
  Object.assign(configuration, {
    host: value('host'), port: Number(value('port')), username: value('username'), password: secret('password'),
    fromEmail: value('fromEmail'),
  });
  if (form.elements.secure.checked) configuration.secure = true;
  const kind = form.elements.kind.value;
  if (kind) {
    configuration.oauth2 = { kind };
    for (const [name, , secretKind] of KINDS[kind]) {
      const given = secretKind ? secret(`oauth2.${name}`) : value(`oauth2.${name}`);
      if (given !== undefined) configuration.oauth2[name] = given;
    }
  }
  return configuration;
}

function clearErrors(form, summary) {
  form.querySelectorAll('.field-error').forEach((error) => { error.hidden = true; error.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((control) => control.removeAttribute('aria-invalid'));
  show(summary);
}

/**
 * A 400 next to the field it names (the message starts with the field's name), when that field has
 * room for one; else above the form.
 */
function showRefusal(form, summary, refusal) {
  const named = /^([A-Za-z0-9]+(?:\.[A-Za-z0-9]+)?) /.exec(refusal.message);
  const error = named && form.querySelector(`[data-field="${named[1]}"] .field-error`);
  if (refusal.status === 400 && error) {
    error.textContent = refusal.message;
    error.hidden = false;
    const field = error.closest('[data-field]');
    const control = field.querySelector('input, textarea, select');
    const hint = field.querySelector('.hint');
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', hint ? `${error.id} ${hint.id}` : error.id);
    control.focus();
    return;
  }
  const retry = refusal.retryAfter ? ` Try again in ${refusal.retryAfter} s.` : '';
  show(summary, el('p', { class: 'problem', role: 'alert' }, refusal.message, retry));
}

function report(result, verification) {
  show(result,
    el('h3', {}, verification.ok ? 'Every step passed' : 'A step failed'),
    el('ol', { class: 'steps' }, verification.steps.map((step) => el('li', { class: step.ok ? 'ok' : 'problem' },
      el('strong', {}, step.name), ` ${step.ok ? 'passed' : 'failed'} in ${step.ms} ms: `, step.detail))),
    verification.advice.length > 0 && el('h3', {}, 'What to try'),
    verification.advice.length > 0 && el('ul', {}, verification.advice.map((advice) => el('li', {}, advice))));
}

export async function render(view) {
  // The version stays with the form drawn from it: a Save writes over what this form shows, whatever
  // another render, or a peek after a 409, read since.
  const { values: stored, version } = await api.stored();
  const oauth2 = stored.oauth2 ?? {};
  const kinds = el('select', { id: 'field-kind', name: 'kind' }, el('option', { value: '' }, 'Password (or none)'),
    Object.keys(KINDS).map((kind) => el('option', { value: kind }, `OAuth 2.0: ${kind}`)));
  kinds.value = oauth2.kind ?? '';
  const kindFields = el('div', { class: 'kind-fields' });
  // What was typed into a kind's fields, kept while another kind is chosen, and given back when it is again.
  const typed = new Map();
  let kindShown = kinds.value;
  const fillKind = () => {
    kindFields.querySelectorAll('input, textarea').forEach((control) => typed.set(`${kindShown} ${control.name}`,
      control.type === 'checkbox' ? control.checked : control.value));
    kindShown = kinds.value;
    show(kindFields, (KINDS[kinds.value] ?? []).map(([name, label, secret]) => {
      const storedValue = oauth2.kind === kinds.value ? oauth2[name] : '';
      return secret ? secretInput(`oauth2.${name}`, label, storedValue, { long: secret === 'secret-long' })
        : input(`oauth2.${name}`, label, storedValue);
    }));
    kindFields.querySelectorAll('input, textarea').forEach((control) => {
      const kept = typed.get(`${kindShown} ${control.name}`);
      if (kept === undefined) return;
      if (control.type === 'checkbox') control.checked = kept; else control.value = kept;
    });
  };
  kinds.addEventListener('change', fillKind);
  fillKind();
  const secure = el('input', { id: 'field-secure', name: 'secure', type: 'checkbox' });
  secure.checked = stored.secure === true;
  const summary = el('div', { id: 'form-summary' });
  const result = el('div', { id: 'verification', 'aria-live': 'polite' });
  const form = el('form', { id: 'configuration', novalidate: true },
    el('fieldset', {}, el('legend', {}, 'Server'),
      input('host', 'Host', stored.host, { required: true }),
      input('port', 'Port', stored.port, { type: 'number', required: true, hint: '587 for STARTTLS, 465 for TLS from the first byte' }),
      el('div', { class: 'check', 'data-field': 'secure' }, secure,
        el('label', { for: 'field-secure' }, 'TLS from the first byte (secure)'))),
    el('fieldset', {}, el('legend', {}, 'Login'),
      input('username', 'Username', stored.username),
      secretInput('password', 'Password', stored.password),
      el('div', { 'data-field': 'oauth2.kind' }, el('label', { for: 'field-kind' }, 'Login with'), kinds),
      kindFields),
    el('fieldset', {}, el('legend', {}, 'Mail'),
      input('fromEmail', 'From', stored.fromEmail, { required: true }),
      input('sendTestTo', 'Send a test mail to', '', { type: 'email', hint: 'For "Send test mail" only.' })),
    summary,
    el('div', { class: 'actions' },
      el('button', { type: 'button', id: 'verify' }, 'Verify'),
      el('button', { type: 'button', id: 'send-test' }, 'Send test mail'),
      el('button', { type: 'submit', id: 'save', class: 'primary' }, 'Save')));
  // A form with changes not yet saved is what the console sets aside when the token stops working (app.js).
  form.addEventListener('input', () => { form.dataset.unsaved = ''; });
  const buttons = () => [...form.querySelectorAll('button')];
  const run = async (action) => {
    clearErrors(form, summary);
    // One request at a time: a second Save with the same version would be refused as someone else's change.
    // A disabled button loses the focus; it gets it back unless what the answer shows took it.
    const pressed = document.activeElement;
    // Nothing typed while the request runs would be sent, and a Save draws the form again: the fields wait too.
    const fieldsets = [...form.querySelectorAll('fieldset')];
    fieldsets.forEach((fieldset) => { fieldset.disabled = true; });
    buttons().forEach((button) => { button.disabled = true; });
    try {
      await action();
    } catch (refusal) {
      // The fields take input again before a refusal names one of them: a disabled field takes no focus.
      fieldsets.forEach((fieldset) => { fieldset.disabled = false; });
      show(result);
      show(summary);
      if (!(refusal instanceof api.Refusal)) {
        show(summary, el('p', { class: 'problem', role: 'alert' }, String(refusal.message ?? refusal)));
        return;
      }
      // A refused token: the sign-in page says why, and this form waits, set aside, for the next sign-in.
      if (refusal.status === 401 || refusal.status === 403) return;
      if (refusal.status === 409) {
        // A peek: the form's version stays the one loaded, so saving again is still refused.
        const now = (await api.stored().catch(() => null))?.values;
        show(summary, el('div', { class: 'notice', role: 'alert' },
          el('p', { class: 'problem' }, refusal.message),
          el('p', {}, !now ? 'What is stored now could not be read.'
            : now.host === undefined ? 'Nothing is stored now.'
              : now.host === PLACEHOLDER ? 'What is stored now is hidden (HIDE_SECRET_CONFIG).'
                : `Stored now: ${now.host}:${now.port}, sending as ${now.fromEmail}.`),
          el('button', { type: 'button', id: 'reload-stored' }, 'Discard my changes and load what is stored')));
        summary.querySelector('#reload-stored').addEventListener('click', () => render(view).catch((failed) =>
          show(summary, el('p', { class: 'problem', role: 'alert' }, failed.message))));
        return;
      }
      showRefusal(form, summary, refusal);
    } finally {
      fieldsets.forEach((fieldset) => { fieldset.disabled = false; });
      buttons().forEach((button) => { button.disabled = false; });
      if (pressed?.isConnected && (document.activeElement === document.body || document.activeElement === null)) {
        pressed.focus();
      }
    }
  };
  form.querySelector('#verify').addEventListener('click', () => run(async () => {
    show(result, el('p', {}, 'Verifying…'));
    report(result, await api.verify(valuesOf(form, stored)));
  }));
  form.querySelector('#send-test').addEventListener('click', () => run(async () => {
    const to = form.elements.sendTestTo.value.trim();
    if (!to) {
      showRefusal(form, summary, new api.Refusal(400, 'VALIDATION_ERROR', 'sendTestTo is needed to send a test mail'));
      return;
    }
    show(result, el('p', {}, 'Sending a test mail…'));
    report(result, await api.verify({ ...valuesOf(form, stored), sendTestTo: to }));
  }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(async () => {
      show(summary, el('p', { role: 'status' }, 'Saving…'));
      await api.save(valuesOf(form, stored), version);
      delete form.dataset.unsaved;
      const saved = () => el('p', { class: 'ok', role: 'status' }, 'Saved: it is the active configuration now.');
      show(summary, saved());
      // Drawn again from what is stored now, with its version: the next Save writes over this one.
      try {
        await render(view);
      } catch {
        show(summary, saved(), el('p', { class: 'notice' }, 'Open this view again before another change.'));
        return;
      }
      show(view.querySelector('#form-summary'), saved());
      view.querySelector('#save').focus();
    });
  });
  show(view, el('h2', {}, 'Configuration'), form, result);
}
