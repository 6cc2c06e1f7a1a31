package dev.mailservice.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports nothing listens on, for the servers the tests and the benchmark start.
 *
 * <p>A port is picked below the range the kernel hands out for a bind to port 0 and for the local
 * end of every outgoing connection (Linux's {@code ip_local_port_range}): between the pick and the
 * server's bind, and while a stopped server is down before it binds the same port again, another
 * test JVM's connections cannot take it. Nor can the picks of another: the test JVMs that run at
 * once each pick from a slice of their own ({@link #FORK_PROPERTY}), and a JVM never hands out
 * the same port twice (a cluster's members picked together, a member stopped and started again on
 * its port). Where that range cannot be read, the kernel picks.
 */
public final class FreePorts {

    /**
     * The lowest port picked: above the well-known ones, the usual defaults of servers, and the
     * ports {@code run-local} picks (from 10000 up to this one).
     */
    static final int LOWEST = 15000;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int ATTEMPTS = 200;
    /**
     * The system properties that say which of how many test JVMs running at once this is, {@code 1}
     * to the count (the build sets them from Surefire's fork number); without them, or with values
     * that do not make one of so many (a count such as Surefire's {@code 1C}), the whole range.
     */
    static final String FORK_PROPERTY = "testkit.forkNumber";
    static final String FORKS_PROPERTY = "testkit.forkCount";
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {}

    /** A port free a moment ago, released at once for the caller to bind. */
    public static int pick() {
        int ephemeralStart = ephemeralRangeStart();
        int forks = Integer.getInteger(FORKS_PROPERTY, 1);
        int fork = Integer.getInteger(FORK_PROPERTY, 1);
        if (forks < 1 || fork < 1 || fork > forks) {
            forks = 1;
            fork = 1;
        }
        int slice = (ephemeralStart - LOWEST) / forks;
        if (slice > ATTEMPTS) {
            int first = LOWEST + (fork - 1) * slice;
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                int candidate = ThreadLocalRandom.current().nextInt(first, first + slice);
                if (bindable(candidate) && HANDED_OUT.add(candidate)) {
                    return candidate;
                }
            }
        }
        return kernelsPick();
    }

    /** The first port of the kernel's range; {@link #LOWEST} where it cannot be read, leaving none to pick from. */
    static int ephemeralRangeStart() {
        // Read as a stream: Files.readString trusts the size procfs reports, and reads one byte of it.
        try (InputStream range = Files.newInputStream(EPHEMERAL_RANGE)) {
            return Integer.parseInt(new String(range.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException unreadable) {
            return LOWEST;
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    private static int kernelsPick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
