/**
 * The values this service is about and the rules they carry: an SMTP configuration that
 * cannot be built invalid, a password that never prints, e-mail addresses and mail messages.
 *
 * <p>Depends on the JDK alone, so every other module can rely on these rules without
 * pulling in a framework.
 */
package dev.mailservice.domain;
