/**
 * The HTTP adapter: the contract's routes on the Helidon SE WebServer.
 *
 * <p>Handlers are thin (check the token, call a use case, answer JSON). The shared concerns each
 * sit in one class: {@link dev.mailservice.adapters.http.TokenVerifier} for tokens,
 * {@link dev.mailservice.adapters.http.ErrorMapper} for every error answer,
 * {@link dev.mailservice.adapters.http.Json} for bodies.
 */
package dev.mailservice.adapters.http;
