package dev.mailservice.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports nothing listens on, for the servers the tests and the benchmark start.
 *
 * <p>A port is picked below the range the kernel hands out for a bind to port 0 and for the local
 * end of every outgoing connection (Linux's {@code ip_local_port_range}): between the pick and the
 * server's bind, and while a stopped server is down before it binds the same port again, another
 * test JVM's connections cannot take it. Where that range cannot be read, the kernel picks.
 */
public final class FreePorts {

    /** The lowest port picked: above the well-known ones and the usual defaults of servers. */
    private static final int LOWEST = 15000;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int ATTEMPTS = 200;

    private FreePorts() {}

    /** A port free a moment ago, released at once for the caller to bind. */
    public static int pick() {
        int ephemeralStart = ephemeralRangeStart();
        if (ephemeralStart - LOWEST > ATTEMPTS) {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                int candidate = ThreadLocalRandom.current().nextInt(LOWEST, ephemeralStart);
                if (bindable(candidate)) {
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
