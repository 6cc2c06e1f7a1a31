package dev.mailservice.bootstrap;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The environment variables the settings are read from, with the rules every group of settings
 * reads them by: a blank value counts as unset, and a value that is missing or does not parse is
 * refused with a message naming the variable, so that the service stops at start rather than fail
 * later. Refusals are collected, not thrown one by one: {@link #throwIfRefused} names them all at
 * once, so that an operator fixes every variable in one go.
 */
final class Environment {

    private final Map<String, String> variables;
    private final List<String> refusals = new ArrayList<>();

    Environment(Map<String, String> variables) {
        this.variables = Objects.requireNonNull(variables, "variables");
    }

    /**
     * Notes a refusal, saying which variable is missing or wrong and what it needs, for
     * {@link #throwIfRefused} to report with the others.
     *
     * @param fallback what the reading goes on with; settings are never built from it, as
     *                 {@link #throwIfRefused} stops them first
     */
    <T> T refuse(String message, T fallback) {
        refusals.add(message);
        return fallback;
    }

    /**
     * {@code value} as a refusal may quote it: credentials in a URL ({@code redis://:pw@host},
     * {@code http://user:pw@etcd:2379}, or without a scheme) left out, as a refusal is printed and
     * logged. Everything up to the last {@code @} goes, since a password may hold {@code /} or
     * {@code @} itself.
     */
    static String quotable(String value) {
        return value.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)?.*@", "$1<credentials>@");
    }

    /**
     * Ends the reading of settings.
     *
     * @throws InvalidSettingsException naming every refusal noted, if there was any
     */
    void throwIfRefused() {
        if (refusals.size() == 1) {
            throw new InvalidSettingsException(refusals.get(0));
        }
        if (!refusals.isEmpty()) {
            throw new InvalidSettingsException(refusals.size() + " settings are missing or wrong:\n  "
                    + String.join("\n  ", refusals));
        }
    }

    /** The value of {@code name} exactly as set, or null when it is not set. */
    String get(String name) {
        return variables.get(name);
    }

    /** The value of {@code name} exactly as set, unless it is not set or empty. */
    Optional<String> nonEmpty(String name) {
        return Optional.ofNullable(variables.get(name)).filter(value -> !value.isEmpty());
    }

    /** The value of {@code name} without surrounding blanks; {@code fallback} when it is unset or blank. */
    String valueOr(String name, String fallback) {
        String value = variables.get(name);
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    /** {@code true, 1, yes, on} or {@code false, 0, no, off}, in any case. */
    boolean flag(String name, boolean fallback) {
        String value = valueOr(name, Boolean.toString(fallback)).toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> refuse(name + " must be true or false, got '" + value + "'", fallback);
        };
    }

    /** A limit in milliseconds, from 1 ms to ten minutes. */
    Duration milliseconds(String name, long fallback) {
        return checkedMilliseconds(name, fallback).orElse(Duration.ofMillis(fallback));
    }

    /** As {@link #milliseconds}, empty when refused: for a check of another value against it. */
    Optional<Duration> checkedMilliseconds(String name, long fallback) {
        OptionalInt millis = checkedWholeNumber(name, fallback, 1, 600_000);
        return millis.isPresent() ? Optional.of(Duration.ofMillis(millis.getAsInt())) : Optional.empty();
    }

    int wholeNumber(String name, long fallback, long min, long max) {
        return checkedWholeNumber(name, fallback, min, max).orElse((int) fallback);
    }

    /**
     * As {@link #wholeNumber}, empty when refused: for a check of another value against it, which
     * would otherwise be made against the fallback and refuse a value right for the one meant.
     */
    OptionalInt checkedWholeNumber(String name, long fallback, long min, long max) {
        String value = valueOr(name, Long.toString(fallback));
        try {
            long number = Long.parseLong(value);
            if (number >= min && number <= max) {
                return OptionalInt.of((int) number);
            }
        } catch (NumberFormatException e) {
            // refused below, with the same message as a number out of range
        }
        return refuse(name + " must be a whole number from " + min + " to " + max + ", got '" + value + "'",
                OptionalInt.empty());
    }
}
