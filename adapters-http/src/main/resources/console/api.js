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

// Relative to the console's own address (/console/), so that behind a proxy that serves the service
// under a path of its own, the token goes to this service and nowhere else on that host.
const API = '../api/v1';
const STORED = `${API}/configurationManager/smtpConfig`;

export const status = async () => (await call('GET', `${API}/mail/smtpConfig`)).json;

/**
 * What is stored, and its version (the ETag) for a save over it. A compressing proxy marks the ETag
 * weak (`W/"…"`), and the service never matches a weak tag: the version names the value stored,
 * not the bytes of this answer, so it is kept strong.
 */
export async function stored() {
  const { json, version } = await call('GET', STORED);
  return { values: json, version: version?.replace(/^W\//, '') ?? null };
}
/**
 * Saves over `version`, the one read: a change stored meanwhile by someone else is a 409, not
 * overwritten. Without a version (something in between dropped the ETag) nothing is sent: the save
 * would go over whatever is stored.
 */
export async function save(configuration, version) {
  if (!version) {
    throw new Refusal(0, 'NO_VERSION', 'The stored configuration came without its version (the ETag header, '
      + 'which something between this browser and the service may drop), so a save could overwrite a change '
      + 'made since: nothing was saved.', null);
  }
  return call('POST', STORED, configuration, { 'If-Match': version });
}
export const verify = async (configuration) => (await call('POST', `${STORED}/verify`, configuration)).json;
export const sends = async () => (await call('GET', `${API}/mail/sends`)).json;
