/**
 * Adapters of the {@code ConfigRepository} port: where the SMTP configuration is stored.
 * Each is named after the technology it wraps; all read the contract's JSON object through
 * {@link dev.mailservice.adapters.config.ConfigurationDocument}.
 */
package dev.mailservice.adapters.config;
