package dev.mailservice.domain;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An address mail is sent from, with an optional display name, as RFC 5322 writes a mailbox:
 * {@code noreply@acme.test}, {@code Acme <noreply@acme.test>} or {@code "Acme, Inc." <noreply@acme.test>}.
 * PipesHub stores {@code fromEmail} in any of these forms and its mail library sends them as given.
 *
 * @param displayName the name recipients see beside the address, if any
 * @param address     the address itself
 */
public record Mailbox(Optional<String> displayName, EmailAddress address) {

    /** {@code name <address>}, the name bare or in double quotes. */
    private static final Pattern NAME_ADDRESS = Pattern.compile("(.*?)\\s*<([^<>]*)>");
    /** Characters that a display name must be quoted for (RFC 5322's specials). */
    private static final Pattern SPECIALS = Pattern.compile("[()<>\\[\\]:;@\\\\,.\"]");

    /**
     * @throws IllegalArgumentException when the display name is blank or holds control characters
     */
    public Mailbox {
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(address, "address");
        displayName.ifPresent(name -> {
            if (name.isBlank() || name.codePoints().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("must have a display name without control characters");
            }
        });
    }

    /**
     * Reads an address with or without a display name.
     *
     * @throws IllegalArgumentException saying what is wrong, when it is not a mailbox
     */
    public static Mailbox parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("must be an e-mail address, got nothing");
        }
        String value = text.strip();
        Matcher nameAddress = NAME_ADDRESS.matcher(value);
        if (!nameAddress.matches()) {
            return new Mailbox(Optional.empty(), new EmailAddress(value));
        }
        String name = unquote(nameAddress.group(1).strip());
        return new Mailbox(Optional.of(name).filter(given -> !given.isEmpty()), new EmailAddress(nameAddress.group(2).strip()));
    }

    /** The mailbox as RFC 5322 writes it, the name quoted where it must be: the form it is stored in. */
    public String value() {
        return displayName.map(name -> (SPECIALS.matcher(name).find() ? quote(name) : name) + " <" + address.value() + ">")
                .orElse(address.value());
    }

    @Override
    public String toString() {
        return value();
    }

    private static String unquote(String name) {
        if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
            return name.substring(1, name.length() - 1).replaceAll("\\\\(.)", "$1");
        }
        return name;
    }

    private static String quote(String name) {
        return "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
