package dev.mailservice.application.port.in;

import dev.mailservice.domain.OpaqueFields;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A configuration to store, as a client submits it: each field given, or to be kept as stored
 * (what a client sends back when it shows a hidden value), and the fields the service does not
 * know, stored beside it untouched.
 *
 * @param port        the port, always given
 * @param secure      whether the server speaks TLS from the first byte, always given (false when left out)
 * @param otherFields the submitted fields the service does not know
 * @param oauth2      the OAuth 2.0 login's fields and secrets by name ({@code kind} among them), each
 *                    given or to be kept as stored; empty for a login with the password
 */
public record SmtpConfigurationChange(
        Field host, int port, boolean secure, Field username, Field password, Field fromEmail, OpaqueFields otherFields,
        Optional<Map<String, Field>> oauth2) {

    public SmtpConfigurationChange {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(fromEmail, "fromEmail");
        Objects.requireNonNull(otherFields, "otherFields");
        oauth2 = oauth2.map(fields -> Collections.unmodifiableMap(new LinkedHashMap<>(fields)));
    }

    /** A change that logs in with the password, or not at all. */
    public SmtpConfigurationChange(Field host, int port, boolean secure, Field username, Field password, Field fromEmail,
            OpaqueFields otherFields) {
        this(host, port, secure, username, password, fromEmail, otherFields, Optional.empty());
    }

    /** One field of the change. */
    public sealed interface Field {

        /** Keep the stored value. */
        Field KEEP = new Keep();

        /** A given value; empty when the client left it out. */
        static Field of(Optional<String> value) {
            return new Given(value);
        }

        /** The stored value stays. */
        record Keep() implements Field {}

        /** @param value the value given, empty when none was */
        record Given(Optional<String> value) implements Field {

            public Given {
                Objects.requireNonNull(value, "value");
            }

            /** Whether a value was given, not the value: it may be the password or an OAuth 2.0 secret. */
            @Override
            public String toString() {
                return value.isPresent() ? "Given[hidden]" : "Given[empty]";
            }
        }
    }
}
