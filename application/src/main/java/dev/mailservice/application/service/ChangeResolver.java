package dev.mailservice.application.service;

import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.port.in.SmtpConfigurationChange;
import dev.mailservice.application.port.in.SmtpConfigurationChange.Field;
import dev.mailservice.domain.InvalidInputException;
import dev.mailservice.domain.OAuth2Login;
import dev.mailservice.domain.Password;
import dev.mailservice.domain.SmtpConfiguration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** What a submitted change makes of the stored configuration, the same for a save and a verification. */
final class ChangeResolver {

    private ChangeResolver() {}

    /** Whether {@code change} keeps any stored value, so that the stored configuration must be read. */
    static boolean keepsAny(SmtpConfigurationChange change) {
        return change.host() instanceof Field.Keep || change.username() instanceof Field.Keep
                || change.password() instanceof Field.Keep || change.fromEmail() instanceof Field.Keep
                || change.oauth2().stream().flatMap(fields -> fields.values().stream()).anyMatch(Field.Keep.class::isInstance);
    }

    /**
     * The configuration {@code change} makes of {@code stored}. The stored password is kept only
     * while host, port, {@code secure} and username all stay the same: it goes to no other server,
     * no other listener on the same host, and never over a connection with less TLS. A stored
     * OAuth 2.0 secret is kept under the same rule, and only while the login's kind, endpoint and
     * client stay the same too: it goes to no other token endpoint, buys no token for another
     * mailbox, and the tokens it buys go where the password would.
     */
    static SmtpConfiguration resolve(SmtpConfigurationChange change, Optional<SmtpConfiguration> stored) {
        try {
            String host = value(change.host(), SmtpConfiguration.HOST, stored, current -> Optional.of(current.host()));
            String username = value(change.username(), SmtpConfiguration.USERNAME, stored, SmtpConfiguration::username);
            String password = value(change.password(), SmtpConfiguration.PASSWORD, stored,
                    current -> current.password().map(Password::reveal));
            String fromEmail = value(change.fromEmail(), SmtpConfiguration.FROM_EMAIL, stored,
                    current -> Optional.of(current.fromEmail().value()));
            SmtpConfiguration configuration = SmtpConfiguration.of(host, change.port(), username, password, fromEmail,
                    change.secure()).withOAuth2(change.oauth2().map(fields -> oauth2(fields, stored)));
            if (change.password() instanceof Field.Keep && !sameServerAndUser(configuration, stored.orElseThrow())) {
                throw new InvalidInput(SmtpConfiguration.PASSWORD, "must be given again: the stored password "
                        + "is kept only while host, port, secure and username stay the same");
            }
            Optional<String> keptSecret = change.oauth2().flatMap(fields -> fields.keySet().stream()
                    .filter(name -> fields.get(name) instanceof Field.Keep)
                    .filter(name -> configuration.oauth2().orElseThrow().secrets().containsKey(name)).findFirst());
            if (keptSecret.isPresent() && !sameLoginSource(configuration, stored.orElseThrow())) {
                throw new InvalidInput(OAuth2Login.FIELD + "." + keptSecret.get(), "must be given again: a stored "
                        + "secret is kept only while host, port, secure, username, and the login's kind, endpoint and "
                        + "client stay the same");
            }
            return configuration;
        } catch (InvalidInputException refusal) {
            throw InvalidInput.of(refusal);
        }
    }

    private static <T> String value(Field field, String name, Optional<T> stored,
            Function<T, Optional<String>> storedValue) {
        return switch (field) {
            case Field.Given given -> given.value().orElse(null);
            case Field.Keep keep -> stored.flatMap(storedValue).orElseThrow(() -> new InvalidInput(name,
                    "is to be kept as stored, but no " + name + " is stored"));
        };
    }

    /** The login {@code fields} make, each kept one taken from the stored login's fields and secrets. */
    private static OAuth2Login oauth2(Map<String, Field> fields, Optional<SmtpConfiguration> stored) {
        Optional<OAuth2Login> storedLogin = stored.flatMap(SmtpConfiguration::oauth2);
        Map<String, String> values = new LinkedHashMap<>();
        fields.forEach((name, field) -> values.put(name, value(field, OAuth2Login.FIELD + "." + name, storedLogin,
                login -> Optional.ofNullable(login.fields().get(name))
                        .or(() -> Optional.ofNullable(login.secrets().get(name)).map(Password::reveal)))));
        return OAuth2Login.of(values);
    }

    private static boolean sameLoginSource(SmtpConfiguration next, SmtpConfiguration stored) {
        return sameServerAndUser(next, stored) && next.oauth2().orElseThrow().sameEndpointAndClient(stored.oauth2().orElse(null));
    }

    private static boolean sameServerAndUser(SmtpConfiguration next, SmtpConfiguration stored) {
        return next.host().equals(stored.host()) && next.port() == stored.port() && next.secure() == stored.secure()
                && next.username().equals(stored.username());
    }
}
