// The status view: what this replica sends with, where it came from, and what went wrong last.

import * as api from './api.js';
import { el, facts, show, time } from './dom.js';

export async function render(view) {
  const status = await api.status();
  const smtp = status.smtp;
  const token = status.oauth2Token;
  show(view,
    el('h2', {}, 'Status'),
    smtp ? facts([
      ['Server', `${smtp.host}:${smtp.port}`],
      ['TLS', smtp.secure || smtp.port === 465 ? 'from the first byte' : 'STARTTLS (required when SMTP_REQUIRE_TLS is set)'],
      ['Username', smtp.username],
      ['Login', smtp.oauth2 ? `OAuth 2.0 (${smtp.oauth2.kind})` : (smtp.username ? 'username and password' : 'none')],
      ['Sends as', smtp.fromEmail],
      ['Source', status.source],
      ['Applied', time(status.appliedAt)],
    ]) : el('p', { class: 'notice' }, 'No SMTP configuration is active: mail is refused until one is stored.'),
    el('h3', {}, 'Last reload error'),
    status.lastReloadError
      ? el('p', { class: 'problem' }, time(status.lastReloadError.at), ': ', status.lastReloadError.message)
      : el('p', {}, 'None'),
    el('h3', {}, 'Warnings'),
    status.warnings.length ? el('ul', {}, status.warnings.map((warning) => el('li', {}, warning))) : el('p', {}, 'None'),
    el('h3', {}, 'Last verification'),
    status.lastVerified
      ? el('p', { class: status.lastVerified.ok ? 'ok' : 'problem' }, time(status.lastVerified.at), ': ',
        status.lastVerified.ok ? 'every step passed' : `failed at ${status.lastVerified.failedStep}`)
      : el('p', {}, 'Not verified since it became active'),
    token && el('h3', {}, 'OAuth 2.0 token'),
    token && facts([
      ['Endpoint', token.endpoint],
      ['Expires', time(token.expiresAt)],
      ['Last refresh', time(token.lastRefresh)],
      ['Last error', token.lastError ? token.lastError.message : null],
    ]));
}
