package dev.mailservice.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports nothing listens on, for the servers the tests and the benchmark start. */
public final class FreePorts {

    private FreePorts() {}

    /** A port free a moment ago: the operating system's pick, released at once for the caller to bind. */
    public static int pick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
