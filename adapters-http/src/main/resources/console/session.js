// The admin's token: taken from a link's fragment or pasted, kept in this tab's sessionStorage only
// (no cookie: nothing a request from another site could ride on), read for its role and expiry.

const KEY = 'mail-service-console-token';

/** The claims of a JWT, read without checking it (the service checks it on every call). */
function claimsOf(token) {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('This is not a token: a token has three parts separated by dots');
  const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
  const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
  // JSON that is not an object (null, a number) is no token's claims.
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) throw new Error('no claims');
  return claims;
}

/**
 * Why `token` cannot sign in, or null when it may: it must be a user token with the role admin, not
 * expired. The service decides in the end; this tells the obvious at once.
 */
export function refusalOf(token) {
  let claims;
  try {
    claims = claimsOf(token.trim());
  } catch (error) {
    return error.message.startsWith('This is not') ? error.message : 'This is not a token the service issues';
  }
  if (claims.role !== 'admin') {
    return claims.scopes
      ? 'This is a service token (scoped); the console needs a user token with the role admin'
      : `This token is not an admin's (role: ${claims.role ?? 'none'}); the console needs the role admin`;
  }
  if (typeof claims.exp !== 'number') return 'This token has no expiry; the service takes none such';
  if (claims.exp * 1000 <= Date.now()) return `This token expired at ${new Date(claims.exp * 1000).toLocaleString()}`;
  return null;
}

/** Whether the address's fragment carries a token (`#token=…`): a console link was opened. */
export function linkArrived() {
  return location.hash.startsWith('#token=');
}

/** Takes the token from a link's fragment, clearing it from the address bar for `#/view`. */
export function takeFromFragment(view) {
  const match = /^#token=([^&]+)/.exec(location.hash);
  if (!match) return;
  try {
    sessionStorage.setItem(KEY, decodeURIComponent(match[1]));
  } catch (malformed) {
    sessionStorage.setItem(KEY, match[1]);
  } finally {
    history.replaceState(null, '', `${location.pathname}#/${view}`);
  }
}

export function keep(token) {
  sessionStorage.setItem(KEY, token.trim());
}

export function current() {
  return sessionStorage.getItem(KEY);
}

export function forget() {
  sessionStorage.removeItem(KEY);
}

/** When the current token expires, as a Date. */
export function expiry() {
  const token = current();
  return token ? new Date(claimsOf(token).exp * 1000) : null;
}

/** Who the current token is for (PipesHub's userId and orgId), to tell one admin from another; null signed out. */
export function user() {
  try {
    const claims = claimsOf(current());
    return JSON.stringify([claims.userId ?? null, claims.orgId ?? null]);
  } catch (notAToken) {
    return null;
  }
}
