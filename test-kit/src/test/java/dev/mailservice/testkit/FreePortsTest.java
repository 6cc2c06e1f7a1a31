package dev.mailservice.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** On Linux, where the suite runs: picks come from below the kernel's own range, and are free. */
class FreePortsTest {

    @Test
    void aPickIsBelowThePortsTheKernelHandsOutAndCanBeBound() throws Exception {
        int ephemeralStart = FreePorts.ephemeralRangeStart();
        assertTrue(ephemeralStart > 15000 + 1000, "no room below the kernel's range, which starts at " + ephemeralStart);

        for (int pick = 0; pick < 20; pick++) {
            int port = FreePorts.pick();

            assertTrue(port >= 15000 && port < ephemeralStart, port + " is not below " + ephemeralStart);
            try (ServerSocket bound = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertTrue(bound.isBound());
            }
        }
    }
}
