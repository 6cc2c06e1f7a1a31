package dev.mailservice.application.port.out;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.time.Duration;
import java.util.Optional;

/**
 * Out-port: the backend where the SMTP configuration is stored (a file, etcd, ...).
 *
 * <p>Every read goes to the backend: no caching, so a reload always sees the latest stored value.
 * Like every out-port, it fails only with the application's failures ({@link
 * dev.mailservice.application.failure.ServiceFailure}).
 */
public interface ConfigRepository extends AutoCloseable {

    /**
     * Reads the stored configuration.
     *
     * @return the configuration with its revision and the document's other fields, or empty when
     *         the backend holds none (a valid answer, not an error)
     * @throws InvalidInput       if something is stored but is not a valid configuration; the
     *                            message says where and why, never the password
     * @throws BackendUnavailable if the backend cannot be reached or read
     */
    Optional<StoredSmtpConfiguration> load();

    /**
     * The revision of what is stored now, without reading the value itself, so that a value
     * that cannot be decrypted or parsed has one too.
     *
     * @return the revision; {@link StoredSmtpConfiguration#UNVERSIONED} when nothing is stored or
     *         the backend keeps no revisions
     * @throws BackendUnavailable if the backend cannot be reached or read
     */
    long currentRevision();

    /**
     * Stores {@code configuration}, with {@code otherFields} beside its own in the stored document,
     * in place of the value at {@code expectedRevision}: if another
     * write came after that revision, nothing is stored. A reader never sees it half written:
     * the file backend replaces the file in one rename, etcd in one transaction.
     *
     * <p>A failure is final: a write reported as failed never lands later (a client library
     * retrying in the background after the caller gave up would overwrite newer values). The one
     * exception is a backend that took the write and answers neither it nor the check that follows
     * (etcd: a leader without its quorum); the failure then says that the write may still apply,
     * over {@code expectedRevision} only.
     *
     * @param expectedRevision the revision of the value this one replaces, as {@link #load} or
     *                         {@link #currentRevision} gave it; a backend without revisions ignores it
     * @return the revision of the stored value ({@link StoredSmtpConfiguration#UNVERSIONED} for a
     *         backend without revisions)
     * @throws WriteConflict      if the stored value is no longer at {@code expectedRevision}
     * @throws InvalidInput       if the value to store is longer than the backend's reads take;
     *                            nothing is stored
     * @throws BackendUnavailable if the backend cannot be reached or written
     */
    long save(SmtpConfiguration configuration, OpaqueFields otherFields, long expectedRevision);

    /**
     * Starts telling {@code listener} when the stored configuration may have changed, including
     * after a lost connection to the backend is restored (a change may have been missed). The
     * listener is called on a thread of the backend's and must not block; it is a hint to read
     * again, so a spurious call is harmless.
     *
     * @return the subscription; closing it stops the calls
     */
    Subscription watch(ChangeListener listener);

    /**
     * The longest one call of {@link #load}, {@link #currentRevision} or {@link #save} takes
     * before it answers or fails with {@link BackendUnavailable}: the backend's own limits (for
     * etcd its timeout and the margin its answer is awaited with). The core waits no longer than
     * this for another call under way before it answers that the backend is unavailable. (A save
     * whose write etcd did not answer checks it, which takes up to three calls more.)
     */
    Duration longestCall();

    /**
     * The backend's short name, shown to operators as the {@code source} of a configuration:
     * {@code file}, {@code etcd}, {@code redis}.
     */
    String backendName();

    /** Where exactly the configuration lives (a path, a key and endpoints), for messages. */
    String location();

    /** Releases what the repository holds (a connection to its backend); called once, when the service stops. */
    @Override
    default void close() {}

    /** Told when the stored configuration may have changed. */
    @FunctionalInterface
    interface ChangeListener {
        void storedConfigurationMayHaveChanged();

        /** The watch had been lost and is back (a change may have been missed; a call to the method above follows). */
        default void watchResumed() {}
    }

    /** A running watch; {@link #close()} ends it. */
    interface Subscription extends AutoCloseable {

        /** A subscription that watches nothing, for when watching is switched off. */
        Subscription NONE = () -> {};

        @Override
        void close();
    }
}
