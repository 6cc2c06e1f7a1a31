package dev.mailservice.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** On Linux, where the suite runs: picks come from below the kernel's own range, and are free. */
class FreePortsTest {

    /** Each of two JVMs at once picks from its half, so that their picks never meet. */
    @Test
    void aTestJvmPicksFromItsOwnSliceOfTheRange() {
        int half = (FreePorts.ephemeralRangeStart() - FreePorts.LOWEST) / 2;
        for (int fork = 1; fork <= 2; fork++) {
            int first = FreePorts.LOWEST + (fork - 1) * half;
            for (int port : picksAsFork(Integer.toString(fork), "2", 20)) {
                assertTrue(port >= first && port < first + half, port + " is not in slice " + fork);
            }
        }
    }

    /** A count the build may give that makes no slices (Surefire's {@code 1C}) leaves the whole range, below the kernel's. */
    @Test
    void aForkCountThatIsNoNumberLeavesTheWholeRange() {
        int port = picksAsFork("2", "1C", 1).getFirst();
        assertTrue(port >= FreePorts.LOWEST && port < FreePorts.ephemeralRangeStart(), port + " is not below the kernel's range");
    }

    /** {@code picks} ports picked as the fork {@code number} of {@code count} would; the build's own properties are put back. */
    private static List<Integer> picksAsFork(String number, String count, int picks) {
        String buildsNumber = System.getProperty(FreePorts.FORK_PROPERTY);
        String buildsCount = System.getProperty(FreePorts.FORKS_PROPERTY);
        try {
            System.setProperty(FreePorts.FORK_PROPERTY, number);
            System.setProperty(FreePorts.FORKS_PROPERTY, count);
            List<Integer> ports = new ArrayList<>();
            for (int pick = 0; pick < picks; pick++) {
                ports.add(FreePorts.pick());
            }
            return ports;
        } finally {
            restore(FreePorts.FORK_PROPERTY, buildsNumber);
            restore(FreePorts.FORKS_PROPERTY, buildsCount);
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
        assertTrue(ephemeralStart > FreePorts.LOWEST + 1000, "no room below the kernel's range, which starts at " + ephemeralStart);

        for (int pick = 0; pick < 20; pick++) {
            int port = FreePorts.pick();

            assertTrue(port >= FreePorts.LOWEST && port < ephemeralStart, port + " is not below " + ephemeralStart);
            try (ServerSocket bound = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertTrue(bound.isBound());
            }
        }
    }
}
