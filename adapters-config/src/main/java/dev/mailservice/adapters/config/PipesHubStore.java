package dev.mailservice.adapters.config;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.application.port.out.ConfigRepository.ChangeListener;
import dev.mailservice.application.port.out.ConfigRepository.Subscription;
import java.time.Duration;
import java.util.Optional;

/**
 * A key-value store where PipesHub keeps its values, each encrypted by {@link AesGcmCipher}: etcd
 * or Redis. Keys are PipesHub's paths, such as {@code /services/smtp}; how a path maps onto the
 * store is the store's own. No call waits without bound: each step it takes (connecting, each
 * request) gives up after the store's timeout.
 *
 * <p>A value is read with its stamp, which tells it apart from the values stored at its path
 * before and after it, so that a write goes only over the value it was based on: on etcd, the
 * key's mod revision. Redis keeps nothing of the kind, so there every value's stamp is {@code 0}
 * and a write replaces whatever is stored.
 */
public interface PipesHubStore extends AutoCloseable {

    /**
     * A value as stored (encrypted).
     *
     * @param stamp what tells this value apart from the others stored at its path; {@code 0} for a
     *              store that keeps none
     */
    record Entry(String value, long stamp) {}

    /**
     * What is stored at a path is no value this service can use: of another type than a string, or
     * longer than the store's limit. It is the stored data that is wrong, not the store that failed:
     * trying again does not help until the value is replaced.
     */
    final class UnusableValueException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** @param reason what is wrong, e.g. {@code the value is a hash, not a string} */
        private UnusableValueException(String reason) {
            super(reason);
        }

        /** A value longer than {@code limit} bytes. */
        static UnusableValueException tooLong(long limit) {
            return new UnusableValueException("the value is longer than the limit of " + limit + " bytes");
        }

        /** Something of another type than a string, such as a Redis hash. */
        static UnusableValueException notAString(String type) {
            return new UnusableValueException("the value is a " + type + ", not a string");
        }
    }

    /**
     * Reads the value at {@code path}, refusing one longer than the store's limit without reading it
     * whole where the store allows it.
     *
     * @return the value at {@code path}, or empty when the store holds none
     * @throws UnusableValueException if the value is of another type than a string, or too long
     * @throws BackendUnavailable     if the store cannot be reached or read
     */
    Optional<Entry> get(String path);

    /** The longest value {@link #get} reads, in bytes; a longer one is refused. */
    int maxValueBytes();

    /** The value at {@code path} as stored, without its stamp; fails as {@link #get} does. */
    default Optional<String> value(String path) {
        return get(path).map(Entry::value);
    }

    /**
     * @return the stamp of the value at {@code path}, read without the value; {@code 0} when
     *         nothing is stored or the store keeps no stamps
     * @throws BackendUnavailable if the store cannot be reached or read
     */
    long stampOf(String path);

    /**
     * Stores {@code value} at {@code path} over the value that had {@code readStamp}, and announces
     * the change as PipesHub's services expect it: a store that keeps stamps writes nothing if
     * another value was stored since, one that keeps none replaces whatever is stored. A failure is
     * final: the value never lands after the call gave up, unless the failure says that it may (a
     * write etcd took and answers neither it nor the check that follows).
     *
     * @param readStamp the stamp of the value this one goes over, as {@link #get} or
     *                  {@link #stampOf} gave it; {@code 0} when nothing was stored
     * @return the stamp of the value written; {@code 0} for a store without stamps
     * @throws WriteConflict      if another value was stored after the one at {@code readStamp};
     *                            nothing is written
     * @throws BackendUnavailable if the store cannot be reached or written
     */
    long writeOver(String path, String value, long readStamp);

    /**
     * Tells {@code listener} when the value at {@code path} may have changed, and each time the
     * watch is (re)established, since a change may have been missed while it was down; a watch
     * that was lost and is back is told as such first.
     */
    Subscription watch(String path, ChangeListener listener);

    /**
     * The longest one call of {@link #get}, {@link #stampOf} or {@link #writeOver} takes
     * before it answers or fails with {@link BackendUnavailable}.
     */
    Duration longestCall();

    /** The store's kind, shown to operators: {@code etcd}, {@code redis}. */
    String kind();

    /**
     * Where {@code path} lives, for messages that callers may see: the store's kind and the key,
     * such as {@code Redis key pipeshub:kv:/services/smtp}; never the store's address.
     */
    String locationOf(String path);

    /** The store's address, such as {@code redis://10.0.0.5:6379/0}, for logs only; never credentials. */
    String address();

    /** Closes the connections; called once, when the service stops. */
    @Override
    void close();
}
