package dev.mailservice.adapters.mail;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The names a server's certificate is for, as it lists them, and whether one of them is a given
 * host, by the rules the JDK applies to a TLS server (RFC 6125): an IP address must be among its IP
 * addresses; a host name among its DNS names, where a leftmost {@code *} stands for one label; its
 * common name counts only when it lists no DNS name.
 */
final class CertificateNames {

    /** The types of subject alternative names (RFC 5280): DNS name and IP address. */
    private static final int DNS = 2;
    private static final int IP = 7;

    private CertificateNames() {}

    /** Whether {@code certificate} is for {@code host} (a host name, or an IP address, bracketed or not). */
    static boolean named(X509Certificate certificate, String host) {
        if (certificate == null) {
            return false;
        }
        String wanted = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        List<List<?>> names = alternativeNames(certificate);
        if (isAddress(wanted)) {
            return names.stream().filter(name -> type(name) == IP).anyMatch(name -> sameAddress(value(name), wanted));
        }
        List<String> dnsNames = names.stream().filter(name -> type(name) == DNS).map(CertificateNames::value).toList();
        if (!dnsNames.isEmpty()) {
            return dnsNames.stream().anyMatch(pattern -> matches(pattern, wanted));
        }
        return commonName(certificate).stream().anyMatch(name -> matches(name, wanted));
    }

    /** Whether {@code host} is the DNS name {@code pattern}, or one label under its leftmost {@code *}. */
    static boolean matches(String pattern, String host) {
        String name = withoutTrailingDot(host.toLowerCase(Locale.ROOT));
        String expected = withoutTrailingDot(pattern.toLowerCase(Locale.ROOT));
        if (expected.startsWith("*.")) {
            int firstDot = name.indexOf('.');
            return firstDot > 0 && name.substring(firstDot).equals(expected.substring(1));
        }
        return name.equals(expected);
    }

    /** The subject alternative names of {@code certificate}, in its order; none when it lists none or they cannot be read. */
    static List<String> alternativeNamesOf(X509Certificate certificate) {
        return alternativeNames(certificate).stream().map(CertificateNames::value).toList();
    }

    private static String withoutTrailingDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    private static boolean isAddress(String host) {
        return host.contains(":") || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }

    private static boolean sameAddress(String listed, String host) {
        try {
            // Both are literals: no lookup is made.
            return isAddress(listed) && InetAddress.getByName(listed).equals(InetAddress.getByName(host));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static List<List<?>> alternativeNames(X509Certificate certificate) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            return names == null ? List.of() : List.copyOf(names);
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    // Each entry is [type, value]; the values of names and addresses are strings.
    private static int type(List<?> name) {
        return (Integer) name.get(0);
    }

    private static String value(List<?> name) {
        return String.valueOf(name.get(1));
    }

    private static List<String> commonName(X509Certificate certificate) {
        try {
            return new LdapName(certificate.getSubjectX500Principal().getName()).getRdns().stream()
                    .filter(rdn -> rdn.getType().equalsIgnoreCase("CN")).map(Rdn::getValue).map(String::valueOf)
                    .toList();
        } catch (InvalidNameException e) {
            return List.of();
        }
    }
}
