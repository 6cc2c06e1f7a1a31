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

async function call(method, path, body, extraHeaders = {}) {
  const headers = { Authorization: `Bearer ${session.current()}`, ...extraHeaders };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit', cache: 'no-store' });
  } catch (unreachable) {
    throw new Refusal(0, 'NETWORK', `The service could not be reached: ${unreachable.message}`, null);
  }
  // Something in between (a proxy) may answer in another format than the service's JSON.
  const json = (response.headers.get('Content-Type') ?? '').startsWith('application/json')
    ? await response.json() : null;
  if (response.ok && json !== null) return { json, version: response.headers.get('ETag') };
  const error = json?.error ?? {};
  const refusal = new Refusal(response.status, error.code ?? `HTTP_${response.status}`,
    error.message ?? `The service answered ${response.status}`, response.headers.get('Retry-After'));
  if (response.status === 401 || response.status === 403) {
    signedOut(response.status === 403 ? `The service refused this token: ${refusal.message}` : refusal.message);
  }
  throw refusal;
}

const STORED = '/api/v1/configurationManager/smtpConfig';

export const status = async () => (await call('GET', '/api/v1/mail/smtpConfig')).json;

/**
 * What is stored, and its version (the ETag) for a save over it. A compressing proxy marks the ETag
 * weak (`W/"…"`), and the service never matches a weak tag: the version names the value stored,
 * not the bytes of this answer, so it is kept strong.
 */
export async function stored() {
  const { json, version } = await call('GET', STORED);
  return { values: json, version: version?.replace(/^W\//, '') ?? null };
}
/** Saves over `version`, the one read: a change stored meanwhile by someone else is a 409, not overwritten. */
export const save = (configuration, version) => call('POST', STORED, configuration,
  version ? { 'If-Match': version } : {});
export const verify = async (configuration) =>
  (await call('POST', '/api/v1/configurationManager/smtpConfig/verify', configuration)).json;
export const sends = async () => (await call('GET', '/api/v1/mail/sends')).json;
