// The service's routes, called with the admin's token. An answer the console cannot act on
// (refused token, not an admin) ends the session with the service's own words.

import * as session from './session.js';

/** A failed call: the status, the contract's error code and message, and Retry-After when given. */
export class Refusal extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

let signedOut = () => {};

/** What to do when the service refuses the token: back to sign-in, saying why. */
export function onSignedOut(handler) {
  signedOut = handler;
}

/** The version of the stored configuration last read, which a save writes over and nothing newer. */
let storedVersion = null;

async function call(method, path, body, extraHeaders = {}) {
  const headers = { Authorization: `Bearer ${session.current()}`, ...extraHeaders };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit', cache: 'no-store' });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (response.ok) {
    if (path === STORED && method === 'GET') storedVersion = response.headers.get('ETag');
    return json;
  }
  const error = json?.error ?? {};
  const refusal = new Refusal(response.status, error.code ?? `HTTP_${response.status}`,
    error.message ?? `The service answered ${response.status}`, response.headers.get('Retry-After'));
  if (response.status === 401 || response.status === 403) {
    signedOut(response.status === 403 ? `The service refused this token: ${refusal.message}` : refusal.message);
  }
  throw refusal;
}

const STORED = '/api/v1/configurationManager/smtpConfig';

export const status = () => call('GET', '/api/v1/mail/smtpConfig');
export const stored = () => call('GET', STORED);
/** Saves over the version last read: a change stored meanwhile by someone else is a 409, not overwritten. */
export const save = (configuration) => call('POST', STORED, configuration,
  storedVersion ? { 'If-Match': storedVersion } : {});
export const verify = (configuration) => call('POST', '/api/v1/configurationManager/smtpConfig/verify', configuration);
export const sends = () => call('GET', '/api/v1/mail/sends');
