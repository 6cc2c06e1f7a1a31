// The recent-sends view: this replica's last sends, newest first, filtered in the page.

import * as api from './api.js';
import { el, show, time } from './dom.js';

export async function render(view) {
  const { sends } = await api.sends();
  const address = el('input', { id: 'filter-address', type: 'search', autocomplete: 'off' });
  const template = el('select', { id: 'filter-template' }, el('option', { value: '' }, 'Any'),
    [...new Set(sends.map((send) => send.template))].sort().map((name) => el('option', { value: name }, name)));
  const outcome = el('select', { id: 'filter-outcome' }, el('option', { value: '' }, 'Any'),
    [...new Set(sends.map((send) => send.outcome))].sort().map((name) => el('option', { value: name }, name)));
  const body = el('tbody');
  const caption = el('caption', { class: 'hint', 'aria-live': 'polite' });
  const fill = () => {
    const wanted = address.value.trim().toLowerCase();
    const shown = sends
      .filter((send) => !wanted || [...send.to, ...send.cc].some((to) => to.toLowerCase().includes(wanted)))
      .filter((send) => !template.value || send.template === template.value)
      .filter((send) => !outcome.value || send.outcome === outcome.value);
    const count = (n) => (n === 1 ? '1 send' : `${n} sends`);
    caption.textContent = shown.length === sends.length ? count(sends.length) : `${count(shown.length)} of ${sends.length}`;
    body.replaceChildren(...shown
      .map((send) => el('tr', {},
        el('td', {}, time(send.at)),
        el('td', {}, send.template),
        el('td', {}, send.subject ?? '—'),
        el('td', {}, [...send.to, ...send.cc.map((cc) => `cc ${cc}`)].join(', ')),
        el('td', { class: send.outcome === 'sent' ? 'ok' : 'problem' }, send.outcome),
        el('td', {}, send.said),
        el('td', {}, send.messageId ?? '—'),
        el('td', {}, `${send.ms} ms`),
        el('td', {}, send.requestId ?? '—'))));
  };
  // A list's choice raises "change" in every browser, "input" not in all (nor from WebDriver's clicks).
  address.addEventListener('input', fill);
  [template, outcome].forEach((control) => control.addEventListener('change', fill));
  fill();
  show(view,
    el('h2', {}, 'Recent sends'),
    el('p', { class: 'hint' }, 'This replica\'s last sends, newest first, kept in its memory; other replicas keep their own.'),
    el('div', { class: 'filters' },
      el('div', {}, el('label', { for: 'filter-address' }, 'Address'), address),
      el('div', {}, el('label', { for: 'filter-template' }, 'Template'), template),
      el('div', {}, el('label', { for: 'filter-outcome' }, 'Outcome'), outcome)),
    sends.length === 0 ? el('p', {}, 'No sends yet.') : el('div', { class: 'table' }, el('table', {},
      caption,
      el('thead', {}, el('tr', {}, ['Time', 'Template', 'Subject', 'To', 'Outcome', 'Server said', 'Message-ID',
        'Took', 'Request'].map((name) => el('th', { scope: 'col' }, name)))),
      body)));
}
