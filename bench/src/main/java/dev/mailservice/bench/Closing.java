package dev.mailservice.bench;

/** Closes several resources as try-with-resources closes its own: every one, whatever an earlier one threw. */
final class Closing {

    private Closing() {}

    /**
     * Closes each of {@code resources} in order, each even when one before it failed; throws the first
     * failure, the later ones added to it as suppressed.
     */
    static void all(Iterable<? extends AutoCloseable> resources) throws Exception {
        Exception failure = null;
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Closes each of {@code resources} in order, after {@code failure}: what they throw is added to it, suppressed. */
    static void allAfter(Exception failure, Iterable<? extends AutoCloseable> resources) {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
    }
}
