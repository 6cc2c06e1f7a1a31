/**
 * The {@code TokenEndpoint} adapter: OAuth 2.0 token requests for the SMTP login (SASL XOAUTH2),
 * on the Nimbus OAuth 2.0 SDK.
 */
package dev.mailservice.adapters.mail.oauth2;
