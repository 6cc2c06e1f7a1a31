// The configuration view: the stored configuration as a form (secrets as the service's placeholder,
// which keeps them when sent back), verified step by step, tried with a test mail, and saved.

import * as api from './api.js';
import { el, show } from './dom.js';

/** The fields of each OAuth 2.0 kind; secrets show as the placeholder and are sent back as such. */
const KINDS = {
  microsoft: [['tenantId', 'Tenant (directory) ID'], ['clientId', 'Application (client) ID'],
    ['clientSecret', 'Client secret', 'secret']],
  google: [['clientEmail', 'Service account e-mail'], ['privateKey', 'Private key (PEM)', 'secret-long'],
    ['tokenUri', 'Token URI']],
  refreshToken: [['tokenUrl', 'Token URL'], ['clientId', 'Client ID'], ['clientSecret', 'Client secret', 'secret'],
    ['refreshToken', 'Refresh token', 'secret'], ['scope', 'Scope']],
};

function input(name, label, value, { type = 'text', hint, required = false, long = false } = {}) {
  const id = `field-${name.replace('.', '-')}`;
  const control = long
    ? el('textarea', { id, name, rows: 4, spellcheck: 'false', required })
    : el('input', { id, name, type, required, autocomplete: 'off', spellcheck: 'false' });
  control.value = value ?? '';
  return el('div', { 'data-field': name },
    el('label', { for: id }, label), control,
    hint && el('p', { class: 'hint', id: `${id}-hint` }, hint),
    el('p', { class: 'field-error', id: `${id}-error`, role: 'alert', hidden: true }));
}

/** The form's values as the save and verify routes take them. */
function valuesOf(form) {
  // Secrets are sent as typed: a space at either end of a password is part of it.
  const value = (name) => {
    const control = form.elements[name];
    const text = control?.type === 'password' || control?.tagName === 'TEXTAREA' ? control?.value : control?.value.trim();
    return text || undefined;
  };
  const configuration = {
    host: value('host'), port: Number(value('port')), username: value('username'), password: value('password'),
    fromEmail: value('fromEmail'),
  };
  if (form.elements.secure.checked) configuration.secure = true;
  const kind = form.elements.kind.value;
  if (kind) {
    configuration.oauth2 = { kind };
    for (const [name] of KINDS[kind]) {
      const given = value(`oauth2.${name}`);
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

/** A 400 next to the field it names (the message starts with the field's name), else above the form. */
function showRefusal(form, summary, refusal) {
  const named = /^([A-Za-z0-9]+(?:\.[A-Za-z0-9]+)?) /.exec(refusal.message);
  const field = named && form.querySelector(`[data-field="${named[1]}"]`);
  if (refusal.status === 400 && field) {
    const error = field.querySelector('.field-error');
    error.textContent = refusal.message;
    error.hidden = false;
    const control = field.querySelector('input, textarea, select');
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', error.id);
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
  const fillKind = () => show(kindFields, (KINDS[kinds.value] ?? []).map(([name, label, secret]) =>
    input(`oauth2.${name}`, label, oauth2.kind === kinds.value ? oauth2[name] : '',
      { type: secret === 'secret' ? 'password' : 'text', long: secret === 'secret-long' })));
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
      input('password', 'Password', stored.password, { type: 'password', hint: 'Shown as the placeholder when stored; sent back as such, it keeps the stored one.' }),
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
  const run = async (action) => {
    clearErrors(form, summary);
    try {
      await action();
    } catch (refusal) {
      show(result);
      if (!(refusal instanceof api.Refusal)) {
        show(summary, el('p', { class: 'problem', role: 'alert' }, String(refusal.message ?? refusal)));
        return;
      }
      if (refusal.status === 409) {
        // A peek: the form's version stays the one loaded, so saving again is still refused.
        const now = (await api.stored().catch(() => null))?.values ?? {};
        show(summary, el('div', { class: 'notice', role: 'alert' },
          el('p', { class: 'problem' }, refusal.message),
          el('p', {}, `Stored now: ${now.host ?? '—'}:${now.port ?? '—'}, sending as ${now.fromEmail ?? '—'}.`),
          el('button', { type: 'button', id: 'reload-stored' }, 'Load what is stored, then save again')));
        summary.querySelector('#reload-stored').addEventListener('click', () => render(view));
        return;
      }
      showRefusal(form, summary, refusal);
    }
  };
  form.querySelector('#verify').addEventListener('click', () => run(async () => {
    show(result, el('p', {}, 'Verifying…'));
    report(result, await api.verify(valuesOf(form)));
  }));
  form.querySelector('#send-test').addEventListener('click', () => run(async () => {
    const to = form.elements.sendTestTo.value.trim();
    if (!to) {
      showRefusal(form, summary, new api.Refusal(400, 'VALIDATION_ERROR', 'sendTestTo is needed to send a test mail'));
      return;
    }
    show(result, el('p', {}, 'Sending a test mail…'));
    report(result, await api.verify({ ...valuesOf(form), sendTestTo: to }));
  }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(async () => {
      await api.save(valuesOf(form), version);
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
