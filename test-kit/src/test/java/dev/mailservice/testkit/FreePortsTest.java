package dev.mailservice.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** On Linux, where the suite runs: picks come from below the kernel's own range, and are free. */
class FreePortsTest {

    /** Each of two JVMs at once picks from its half, so that their picks never meet. */
    @Test
    void aTestJvmPicksFromItsOwnSliceOfTheRange() {
        int ephemeralStart = FreePorts.ephemeralRangeStart();
        int half = (ephemeralStart - 15000) / 2;
        String forkNumber = System.getProperty(FreePorts.FORK_PROPERTY);
        String forkCount = System.getProperty(FreePorts.FORKS_PROPERTY);
        try {
            System.setProperty(FreePorts.FORKS_PROPERTY, "2");
            for (int fork = 1; fork <= 2; fork++) {
                System.setProperty(FreePorts.FORK_PROPERTY, Integer.toString(fork));
                int first = 15000 + (fork - 1) * half;
                for (int pick = 0; pick < 20; pick++) {
                    int port = FreePorts.pick();
                    assertTrue(port >= first && port < first + half, port + " is not in slice " + fork);
                }
            }
        } finally {
            restore(FreePorts.FORK_PROPERTY, forkNumber);
            restore(FreePorts.FORKS_PROPERTY, forkCount);
        }
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    /** A port is handed out once: servers picked together, or one started again on its port, never share one. */
    @Test
    void noPortIsHandedOutTwice() {
        Set<Integer> picked = new HashSet<>();
        for (int pick = 0; pick < 2000; pick++) {
            int port = FreePorts.pick();
            assertTrue(picked.add(port), port + " was handed out twice");
        }
    }

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
