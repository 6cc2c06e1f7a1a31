package dev.mailservice.domain;

import java.util.regex.Pattern;

/**
 * A single e-mail address ({@code local@domain}), checked when built.
 *
 * <p>The check is deliberately pragmatic rather than the full RFC 5322 grammar: a dot-atom
 * local part and a domain of letters, digits and hyphens. That accepts every address a mail
 * provider hands out and refuses what is plainly not an address (no {@code @}, spaces, display
 * names, several addresses in one string).
 *
 * @param value the address as given
 */
public record EmailAddress(String value) {

    private static final int MAX_LENGTH = 254;
    private static final Pattern ADDRESS = Pattern.compile(
            "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                    + "@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");

    /**
     * @throws IllegalArgumentException naming the problem when {@code value} is not an address
     */
    public EmailAddress {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("must be an e-mail address, got nothing");
        }
        if (value.length() > MAX_LENGTH || !ADDRESS.matcher(value).matches()) {
            throw new IllegalArgumentException("must be an e-mail address like name@example.com, got '" + value + "'");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
