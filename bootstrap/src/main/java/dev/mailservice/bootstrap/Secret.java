package dev.mailservice.bootstrap;

import java.util.Objects;

/**
 * A secret read from the environment: a token secret, {@code SECRET_KEY}, a store's password.
 * Its {@link #toString()} never shows the value, so that settings holding it print whole without
 * leaking it; only {@link #reveal()} gives it out, to the module that hands it to an adapter.
 */
final class Secret {

    /** How to make a secret, for a message that asks for one. */
    static final String MAKE_ONE = "make one with: openssl rand -hex 32";
    /** The same, for a secret that a service beside PipesHub must share with it. */
    static final String PIPESHUBS_OR_NEW = "beside PipesHub give PipesHub's own, else " + MAKE_ONE;

    private final String value;

    Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    /** The secret itself; call it only where the value is handed to what uses it. */
    String reveal() {
        return value;
    }

    /**
     * By value, so that settings holding secrets compare as records do. Settings are never
     * compared with what a caller sends, so the comparison need not take constant time.
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof Secret that && value.equals(that.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "Secret[hidden]";
    }
}
