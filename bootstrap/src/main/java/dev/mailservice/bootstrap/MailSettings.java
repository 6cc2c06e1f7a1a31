package dev.mailservice.bootstrap;

import dev.mailservice.adapters.mail.SmtpSettings;
import dev.mailservice.domain.InvalidInputException;
import dev.mailservice.domain.OAuth2Login;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the service sends mail: how it speaks to SMTP servers, whether it tries a configuration on
 * its server before taking it, and what one mail may hold.
 *
 * @param smtp          how the service speaks to SMTP servers: {@code SMTP_TIMEOUT_MS} (connecting,
 *                      each read and write), {@code SMTP_SEND_DEADLINE_MS} (a whole send, its
 *                      attempts included), {@code SMTP_POOL_SIZE} and {@code SMTP_POOL_IDLE_MS} (the
 *                      connections kept), {@code SMTP_CONNECTION_MAX_MAILS} and {@code
 *                      SMTP_CONNECTION_MAX_AGE_MS} (a connection's life), {@code SMTP_REQUIRE_TLS}
 *                      (whether a server that does not offer STARTTLS is refused)
 * @param verifyOnSave  {@code SMTP_VERIFY_ON_SAVE}: whether a save is refused, storing nothing,
 *                      when its configuration cannot reach the server and log in
 * @param verifyOnApply {@code SMTP_VERIFY_ON_APPLY}: whether a reloaded configuration replaces
 *                      the active one only once it reached the server and logged in; a save
 *                      on this replica, which applies what it stores, is then verified too
 * @param maxRecipients {@code MAIL_MAX_RECIPIENTS}: how many addresses one mail may have, To
 *                      and Cc together
 * @param brandName     {@code MAIL_BRAND_NAME}: the product name mails show
 * @param recentSends   {@code MAIL_RECENT_SENDS}: how many of this replica's sends it keeps in
 *                      memory for the console and {@code GET /api/v1/mail/sends}; 0 keeps none
 * @param microsoftAuthority {@code OAUTH2_MICROSOFT_AUTHORITY}: the base of Microsoft's token
 *                      endpoints, for OAuth 2.0 logins of the kind {@code microsoft}; another only for
 *                      a sovereign cloud (https://login.microsoftonline.us, say)
 */
record MailSettings(
        SmtpSettings smtp,
        boolean verifyOnSave,
        boolean verifyOnApply,
        int maxRecipients,
        String brandName,
        int recentSends,
        URI microsoftAuthority) {

    static final String SMTP_POOL_SIZE = "SMTP_POOL_SIZE";
    static final String SMTP_POOL_IDLE_MS = "SMTP_POOL_IDLE_MS";
    static final String SMTP_TIMEOUT_MS = "SMTP_TIMEOUT_MS";
    static final String SMTP_SEND_DEADLINE_MS = "SMTP_SEND_DEADLINE_MS";
    static final String SMTP_CONNECTION_MAX_MAILS = "SMTP_CONNECTION_MAX_MAILS";
    static final String SMTP_CONNECTION_MAX_AGE_MS = "SMTP_CONNECTION_MAX_AGE_MS";
    static final String SMTP_REQUIRE_TLS = "SMTP_REQUIRE_TLS";
    static final String SMTP_VERIFY_ON_SAVE = "SMTP_VERIFY_ON_SAVE";
    static final String SMTP_VERIFY_ON_APPLY = "SMTP_VERIFY_ON_APPLY";
    static final String MAIL_MAX_RECIPIENTS = "MAIL_MAX_RECIPIENTS";
    static final String MAIL_BRAND_NAME = "MAIL_BRAND_NAME";
    static final String OAUTH2_MICROSOFT_AUTHORITY = "OAUTH2_MICROSOFT_AUTHORITY";
    static final String MAIL_RECENT_SENDS = "MAIL_RECENT_SENDS";
    static final int DEFAULT_MAIL_RECENT_SENDS = 500;

    static final long DEFAULT_SMTP_TIMEOUT_MS = 10_000;
    /**
     * A send holds its connection for about four round trips to the server, longer while the CPU is
     * busy: at a 10 ms round trip, 16 connections leave two cores partly idle under overload and 32
     * keep them busy (see docs/benchmark.md). Connections are opened only as sends need them, idle
     * ones are closed, and a server that refuses one for its own limit lowers the maximum.
     */
    static final int DEFAULT_SMTP_POOL_SIZE = 32;
    static final long DEFAULT_SMTP_POOL_IDLE_MS = 60_000;
    /** Room for three attempts that each wait out the timeout, by default; the send deadline is never below the timeout. */
    static final int SEND_DEADLINE_IN_TIMEOUTS = 3;
    /**
     * A connection carries this many mails, then is closed: servers limit mails per connection (some
     * providers a few dozen), and a mail met by that limit is tried again on a fresh connection.
     */
    static final int DEFAULT_SMTP_CONNECTION_MAX_MAILS = 100;
    /** A connection is used this long, then closed: Postfix's own client reuses one for 300 s. */
    static final long DEFAULT_SMTP_CONNECTION_MAX_AGE_MS = 300_000;
    static final int DEFAULT_MAIL_MAX_RECIPIENTS = 50;
    static final String DEFAULT_MAIL_BRAND_NAME = "PipesHub";

    MailSettings {
        Objects.requireNonNull(smtp, "smtp");
        Objects.requireNonNull(brandName, "brandName");
        Objects.requireNonNull(microsoftAuthority, "microsoftAuthority");
    }

    /**
     * Reads these settings from {@code environment}, applying the defaults.
     *
     * Refuses, in {@code environment}, each variable that is wrong.
     */
    static MailSettings read(Environment environment) {
        return new MailSettings(
                smtp(environment),
                // Off by default: a relay may be briefly down when a change is made.
                environment.flag(SMTP_VERIFY_ON_SAVE, false),
                environment.flag(SMTP_VERIFY_ON_APPLY, false),
                environment.wholeNumber(MAIL_MAX_RECIPIENTS, DEFAULT_MAIL_MAX_RECIPIENTS, 1, 10_000),
                brandName(environment),
                environment.wholeNumber(MAIL_RECENT_SENDS, DEFAULT_MAIL_RECENT_SENDS, 0, 10_000),
                microsoftAuthority(environment));
    }

    /** An https URL with a host and nothing after its path: the tenant's endpoint is built under it. */
    private static URI microsoftAuthority(Environment environment) {
        String value = environment.valueOr(OAUTH2_MICROSOFT_AUTHORITY, OAuth2Login.Microsoft.PUBLIC_CLOUD.toString());
        try {
            return OAuth2Login.Microsoft.checkedAuthority(new URI(value));
        } catch (URISyntaxException | InvalidInputException e) {
            return environment.refuse(OAUTH2_MICROSOFT_AUTHORITY
                    + " must be an https URL with a host, and no user, query or fragment, like "
                    + OAuth2Login.Microsoft.PUBLIC_CLOUD, OAuth2Login.Microsoft.PUBLIC_CLOUD);
        }
    }

    private static SmtpSettings smtp(Environment environment) {
        Optional<Duration> checkedTimeout = environment.checkedMilliseconds(SMTP_TIMEOUT_MS, DEFAULT_SMTP_TIMEOUT_MS);
        Duration timeout = checkedTimeout.orElse(Duration.ofMillis(DEFAULT_SMTP_TIMEOUT_MS));
        // Not below the timeout, unless that was refused: then the deadline is held to its own range only.
        Duration sendDeadline = Duration.ofMillis(environment.wholeNumber(SMTP_SEND_DEADLINE_MS,
                timeout.toMillis() * SEND_DEADLINE_IN_TIMEOUTS, checkedTimeout.map(Duration::toMillis).orElse(1L),
                1_800_000));
        return new SmtpSettings(timeout, sendDeadline,
                environment.wholeNumber(SMTP_POOL_SIZE, DEFAULT_SMTP_POOL_SIZE, 1, 256),
                environment.milliseconds(SMTP_POOL_IDLE_MS, DEFAULT_SMTP_POOL_IDLE_MS),
                environment.wholeNumber(SMTP_CONNECTION_MAX_MAILS, DEFAULT_SMTP_CONNECTION_MAX_MAILS, 1, 1_000_000),
                Duration.ofMillis(environment.wholeNumber(SMTP_CONNECTION_MAX_AGE_MS,
                        DEFAULT_SMTP_CONNECTION_MAX_AGE_MS, 1_000, 86_400_000)),
                // Off by default, as PipesHub's sender: a relay on a private network may offer no TLS.
                environment.flag(SMTP_REQUIRE_TLS, false));
    }

    /** A name a mail heading can show: one line, at most 100 characters. */
    private static String brandName(Environment environment) {
        String brand = environment.valueOr(MAIL_BRAND_NAME, DEFAULT_MAIL_BRAND_NAME);
        if (brand.length() > 100 || brand.codePoints().anyMatch(Character::isISOControl)) {
            return environment.refuse(MAIL_BRAND_NAME + " must be one line of at most 100 characters",
                    DEFAULT_MAIL_BRAND_NAME);
        }
        return brand;
    }
}
