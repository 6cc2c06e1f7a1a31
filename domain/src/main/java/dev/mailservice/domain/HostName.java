package dev.mailservice.domain;

import java.net.IDN;
import java.util.regex.Pattern;

/**
 * What may stand where a server's host is expected: a DNS name or an IP address literal, and
 * nothing else: no scheme, no port, no path, no control or formatting characters.
 *
 * <ul>
 *   <li>a DNS name: labels of letters, digits, {@code -} (not at either end) and {@code _} (as in
 *       Docker Compose and Kubernetes service names), 1 to 63 characters each, joined by dots, at
 *       most 253 characters in all; international names are taken in their Unicode form too (no
 *       formatting characters), checked in their ASCII (punycode) form, and connected to in it;</li>
 *   <li>an IPv4 address in dotted decimal, or an IPv6 address, bare or in brackets.</li>
 * </ul>
 *
 * <p>Checked here, by rule, rather than by the JDK's {@link java.net.InetAddress}, which would look
 * a name up in the DNS: validating a value must not depend on the network.
 */
final class HostName {

    private static final int MAX_NAME_LENGTH = 253;
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");
    private static final Pattern NUMERIC_LABELS = Pattern.compile("[0-9.]+");
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])");
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");

    private HostName() {}

    /** Whether {@code host} is a DNS name or an IP address literal by the rules above. */
    static boolean isValid(String host) {
        if (host.startsWith("[") && host.endsWith("]")) {
            return isIpv6(host.substring(1, host.length() - 1));
        }
        if (host.indexOf(':') >= 0) {
            return isIpv6(host);
        }
        if (NUMERIC_LABELS.matcher(host).matches()) {
            return IPV4.matcher(host).matches();
        }
        return isDnsName(host);
    }

    /**
     * The host as the DNS and a certificate name it: an international name in its ASCII (punycode)
     * form, anything else as it is. The JDK's resolver does not convert names itself.
     */
    static String ascii(String host) {
        return host.chars().allMatch(c -> c < 0x80) ? host : IDN.toASCII(host);
    }

    private static boolean isDnsName(String host) {
        // IDNA would drop formatting characters (a zero-width space, a soft hyphen) without a word;
        // a name that holds one is not the name it shows.
        if (host.codePoints().anyMatch(c -> Character.getType(c) == Character.FORMAT)) {
            return false;
        }
        String ascii;
        try {
            // Refuses what IDNA prohibits (bidirectional overrides, say); the labels are checked below.
            ascii = IDN.toASCII(host);
        } catch (IllegalArgumentException notAName) {
            return false;
        }
        String name = ascii.endsWith(".") ? ascii.substring(0, ascii.length() - 1) : ascii;
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /** Eight groups of hex digits, or fewer with one {@code ::} for the rest; the last two may be an IPv4 address. */
    private static boolean isIpv6(String address) {
        int elision = address.indexOf("::");
        if (elision < 0) {
            return groups(address, true) == 8;
        }
        if (address.indexOf("::", elision + 1) >= 0) {
            return false;
        }
        int head = groups(address.substring(0, elision), false);
        int tail = groups(address.substring(elision + 2), true);
        return head >= 0 && tail >= 0 && head + tail < 8;
    }

    /** How many 16-bit groups a colon-separated list holds (an IPv4 address at its end counts two), or -1. */
    private static int groups(String list, boolean mayEndWithIpv4) {
        if (list.isEmpty()) {
            return 0;
        }
        String[] groups = list.split(":", -1);
        int count = 0;
        for (int i = 0; i < groups.length; i++) {
            if (HEX_GROUP.matcher(groups[i]).matches()) {
                count++;
            } else if (mayEndWithIpv4 && i == groups.length - 1 && IPV4.matcher(groups[i]).matches()) {
                count += 2;
            } else {
                return -1;
            }
        }
        return count;
    }
}
