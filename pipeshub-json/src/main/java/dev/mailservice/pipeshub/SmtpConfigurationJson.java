package dev.mailservice.pipeshub;

import static dev.mailservice.domain.SmtpConfiguration.FROM_EMAIL;
import static dev.mailservice.domain.SmtpConfiguration.HOST;
import static dev.mailservice.domain.SmtpConfiguration.PASSWORD;
import static dev.mailservice.domain.SmtpConfiguration.PORT;
import static dev.mailservice.domain.SmtpConfiguration.SECURE;
import static dev.mailservice.domain.SmtpConfiguration.USERNAME;

import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.port.in.SmtpConfigurationChange.Field;
import dev.mailservice.application.port.in.SmtpConfigurationChange;
import dev.mailservice.domain.InvalidInputException;
import dev.mailservice.domain.OAuth2Login;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.Password;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The contract's JSON object for an SMTP configuration ({@code host}, {@code port},
 * {@code username}, {@code password}, {@code fromEmail}, and this service's optional {@code secure}
 * and {@code oauth2}), already parsed into a map, and the one
 * translation between it and the domain: what a backend stores, what the API shows, and what a
 * client submits. Fields the service does not know travel beside the configuration untouched.
 *
 * <p>{@code port} may be a JSON number or a string of digits alone; {@code secure}, a JSON boolean,
 * is written only when true, so a document without it stays as PipesHub writes it; so is
 * {@code oauth2}, an object of strings ({@link OAuth2Login}'s fields and secrets by name), written
 * only when the configuration logs in with OAuth 2.0. Refusals name the field and what is wrong,
 * never the value.
 */
public final class SmtpConfigurationJson {

    /**
     * Stands for a hidden value: the admin view shows the password and the OAuth 2.0 secrets this
     * way, and a submitted {@code host}, {@code username}, {@code fromEmail}, {@code password} or
     * field of {@code oauth2} equal to it means "keep the stored value", so a client can send back
     * what it read.
     */
    public static final String PLACEHOLDER = "****************";

    /** The fields of the contract's object, in its order. */
    public static final List<String> FIELD_NAMES = List.of(HOST, PORT, USERNAME, PASSWORD, FROM_EMAIL, SECURE,
            OAuth2Login.FIELD);

    /** How much of the password and the OAuth 2.0 secrets an object shows. */
    public enum PasswordShown {
        /** Both left out: for every answer a client or a log can see. */
        OMITTED,
        /** {@link #PLACEHOLDER} where a secret is set: for the admin view. */
        MASKED,
        /**
         * The password itself, the OAuth 2.0 secrets left out: for PipesHub's internal
         * service-to-service route, whose callers log in with the password alone.
         */
        PASSWORD_REVEALED,
        /** Both: only for storage. */
        REVEALED;

        private Optional<String> password(Password secret) {
            return switch (this) {
                case OMITTED -> Optional.empty();
                case MASKED -> Optional.of(PLACEHOLDER);
                case PASSWORD_REVEALED, REVEALED -> Optional.of(secret.reveal());
            };
        }

        private Optional<String> oauth2Secret(Password secret) {
            return switch (this) {
                case OMITTED, PASSWORD_REVEALED -> Optional.empty();
                case MASKED -> Optional.of(PLACEHOLDER);
                case REVEALED -> Optional.of(secret.reveal());
            };
        }
    }

    private SmtpConfigurationJson() {}

    /**
     * Reads a stored object.
     *
     * @throws InvalidInput naming the missing or ill-typed field, or the field that breaks a rule
     */
    public static StoredSmtpConfiguration read(Map<String, ?> fields, long revision) {
        try {
            SmtpConfiguration configuration = SmtpConfiguration.of(required(fields, HOST), port(fields),
                    optional(fields, USERNAME), optional(fields, PASSWORD), required(fields, FROM_EMAIL), secure(fields))
                    .withOAuth2(oauth2(fields).map(OAuth2Login::of));
            return new StoredSmtpConfiguration(configuration, revision, OpaqueFields.outside(fields, FIELD_NAMES));
        } catch (InvalidInputException refusal) {
            throw InvalidInput.of(refusal);
        }
    }

    /**
     * The object of {@code configuration}, its fields in the contract's order ({@code username}
     * left out when there is none, {@code password} as {@code shown}), {@code otherFields} after.
     */
    public static Map<String, Object> write(SmtpConfiguration configuration, PasswordShown shown,
            OpaqueFields otherFields) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put(HOST, configuration.host());
        fields.put(PORT, configuration.port());
        configuration.username().ifPresent(name -> fields.put(USERNAME, name));
        configuration.password().flatMap(shown::password).ifPresent(password -> fields.put(PASSWORD, password));
        fields.put(FROM_EMAIL, configuration.fromEmail().value());
        if (configuration.secure()) {
            fields.put(SECURE, true);
        }
        configuration.oauth2().ifPresent(login -> {
            Map<String, Object> oauth2 = new LinkedHashMap<>(login.fields());
            login.secrets().forEach((name, secret) -> shown.oauth2Secret(secret).ifPresent(value -> oauth2.put(name, value)));
            fields.put(OAuth2Login.FIELD, oauth2);
        });
        return otherFields.after(fields);
    }

    /**
     * A submitted object as a change: {@link #PLACEHOLDER} in {@code host}, {@code username},
     * {@code password} or {@code fromEmail} keeps the stored value.
     *
     * @throws InvalidInput naming an ill-typed field
     */
    public static SmtpConfigurationChange change(Map<String, ?> submitted) {
        return new SmtpConfigurationChange(field(submitted, HOST), port(submitted), secure(submitted),
                field(submitted, USERNAME),
                field(submitted, PASSWORD), field(submitted, FROM_EMAIL), OpaqueFields.outside(submitted, FIELD_NAMES),
                oauth2(submitted).map(SmtpConfigurationJson::keepingPlaceholders));
    }

    private static Field field(Map<String, ?> fields, String name) {
        return field(optional(fields, name));
    }

    private static Field field(String value) {
        return PLACEHOLDER.equals(value) ? Field.KEEP : Field.of(Optional.ofNullable(value));
    }

    private static Map<String, Field> keepingPlaceholders(Map<String, String> values) {
        Map<String, Field> fields = new LinkedHashMap<>();
        values.forEach((name, value) -> fields.put(name, field(value)));
        return fields;
    }

    /**
     * The {@code oauth2} object's values by name, when there is one: strings, under the names
     * its kind knows (a misspelt name is refused rather than dropped, as it would be otherwise).
     */
    private static Optional<Map<String, String>> oauth2(Map<String, ?> fields) {
        Object value = fields.get(OAuth2Login.FIELD);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof Map<?, ?> object)) {
            throw new InvalidInput(OAuth2Login.FIELD, "must be an object");
        }
        Map<String, String> values = new LinkedHashMap<>();
        object.forEach((name, fieldValue) -> {
            String qualified = OAuth2Login.FIELD + "." + name;
            if (fieldValue != null && !(fieldValue instanceof String)) {
                throw new InvalidInput(qualified, "must be a string");
            }
            values.put(String.valueOf(name), (String) fieldValue);
        });
        // Without a known kind, the login's own refusal of the kind says what to write.
        List<String> known = Optional.ofNullable(values.get(OAuth2Login.KIND)).map(OAuth2Login.NAMES::get)
                .orElse(List.copyOf(values.keySet()));
        values.keySet().stream().filter(name -> !known.contains(name)).findFirst().ifPresent(name -> {
            throw new InvalidInput(OAuth2Login.FIELD + "." + name, "is not a field of the kind '"
                    + values.get(OAuth2Login.KIND) + "', which has " + String.join(", ", known));
        });
        return Optional.of(values);
    }

    private static String required(Map<String, ?> fields, String name) {
        String value = optional(fields, name);
        if (value == null) {
            throw new InvalidInput(name, "is required");
        }
        return value;
    }

    private static String optional(Map<String, ?> fields, String name) {
        Object value = fields.get(name);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        // The value itself is not quoted: the field may be the password.
        throw new InvalidInput(name, "must be a string");
    }

    /** Absent or null is false, as PipesHub's mail library reads it. */
    private static boolean secure(Map<String, ?> fields) {
        return switch (fields.get(SECURE)) {
            case null -> false;
            case Boolean secure -> secure;
            default -> throw new InvalidInput(SECURE, "must be true or false");
        };
    }

    private static int port(Map<String, ?> fields) {
        Object value = fields.get(PORT);
        if (value == null) {
            throw new InvalidInput(PORT, "is required");
        }
        BigInteger number = switch (value) {
            case Integer i -> BigInteger.valueOf(i);
            case Long l -> BigInteger.valueOf(l);
            case BigInteger b -> b;
            case String s when s.matches("[0-9]{1,10}") -> new BigInteger(s);
            default -> throw new InvalidInput(
                    PORT, "must be a whole number: a JSON number or a string of digits alone");
        };
        // Out of int's range: let the domain say what the range is.
        return number.bitLength() >= Integer.SIZE ? -1 : number.intValue();
    }
}
