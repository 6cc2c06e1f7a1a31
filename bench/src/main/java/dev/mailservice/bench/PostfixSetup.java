package dev.mailservice.bench;

import dev.mailservice.testkit.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What Postfix needs to run as the {@link SubmissionServer}: the programs and plugins it checks for, and the files
 * it lays out: its configuration ({@code main.cf}, {@code master.cf}, the header check), certificates made for it,
 * the SASL user and its database, the queue and data directories.
 */
final class PostfixSetup {

    static final Path MASTER = Path.of("/usr/lib/postfix/sbin/master");
    static final Path SASLPASSWD = Path.of("/usr/sbin/saslpasswd2");
    static final String USERNAME = "bench";
    /** The log of this instance, in its configuration directory. */
    static final String LOG_FILE = "maillog";
    private static final String HOSTNAME = "submission.bench.localhost";
    private static final String MAIL_OWNER = "postfix";
    private static final String HEADER_CHECKS_FILE = "header_checks";
    /** Well above the 256 concurrent clients the benchmark opens, for smtpd and for cleanup alike. */
    private static final int PROCESS_LIMIT = 512;
    /** The queue directories the daemons expect, owned by the mail owner; {@code postfix check} would make them. */
    private static final List<String> QUEUE_DIRECTORIES = List.of("incoming", "active", "deferred", "defer", "bounce",
            "trace", "flush", "hold", "corrupt", "saved", "maildrop", "private", "public");

    private PostfixSetup() {}

    static void requirePrograms() {
        requireFile(MASTER, "postfix");
        requireFile(SASLPASSWD, "sasl2-bin");
        // Cyrus SASL's plugins: the user database, and the PLAIN and LOGIN mechanisms.
        requireSaslPlugin("libsasldb.so", "libsasl2-modules-db");
        requireSaslPlugin("libplain.so", "libsasl2-modules");
        requireSaslPlugin("liblogin.so", "libsasl2-modules");
    }

    /**
     * Lays out a submission server on 127.0.0.1:{@code port}: its configuration and certificates in
     * {@code configDirectory}, its queue and SASL database in {@code runtimeDirectory}. Returns the user's password.
     */
    static String lay(Path configDirectory, Path runtimeDirectory, int port) throws IOException, InterruptedException {
        // The daemons run as the mail owner and must reach the queue and the SASL database through it.
        Files.setPosixFilePermissions(runtimeDirectory, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path certificates = Files.createDirectories(configDirectory.resolve("certificates"));
        TestCertificates.create(certificates);
        String password = newPassword();
        createUser(configDirectory, runtimeDirectory, password);
        Path queueDirectory = createQueue(runtimeDirectory);
        Path dataDirectory = Files.createDirectories(runtimeDirectory.resolve("data"));
        setOwner(dataDirectory, MAIL_OWNER);
        // The check only logs: a marked message goes on as any other.
        Files.writeString(configDirectory.resolve(HEADER_CHECKS_FILE), MarkedMessages.HEADER_CHECK);
        Files.writeString(configDirectory.resolve("main.cf"),
                mainCf(configDirectory, certificates, queueDirectory, dataDirectory));
        Files.writeString(configDirectory.resolve("master.cf"), masterCf(port));
        return password;
    }

    private static void requireFile(Path file, String debianPackage) {
        if (!Files.exists(file)) {
            throw new IllegalStateException(file + " is missing: install Debian's " + debianPackage
                    + " package (apt-get install " + debianPackage + ")");
        }
    }

    private static void requireSaslPlugin(String plugin, String debianPackage) {
        try (DirectoryStream<Path> libraries = Files.newDirectoryStream(Path.of("/usr/lib"), "*-linux-gnu*")) {
            for (Path library : libraries) {
                if (Files.exists(library.resolve("sasl2").resolve(plugin))) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot look for Cyrus SASL plugins in /usr/lib", e);
        }
        requireFile(Path.of("/usr/lib/<architecture>/sasl2", plugin), debianPackage);
    }

    private static String newPassword() {
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /**
     * Creates the user in a SASL database of its own, and the Cyrus configuration that points smtpd at it. Debian's
     * smtpd looks for that configuration in the {@code sasl} directory of its configuration directory.
     */
    private static void createUser(Path configDirectory, Path runtimeDirectory, String password)
            throws IOException, InterruptedException {
        Path saslDirectory = Files.createDirectories(configDirectory.resolve("sasl"));
        // Under /dev/shm: smtpd reads the database as the mail owner, who may not reach into the work directory.
        Path database = runtimeDirectory.resolve("sasldb2");
        // smtpd.conf, because Postfix asks Cyrus SASL for the application "smtpd" (smtpd_sasl_path).
        Files.writeString(saslDirectory.resolve("smtpd.conf"), """
                pwcheck_method: auxprop
                auxprop_plugin: sasldb
                mech_list: PLAIN LOGIN
                sasldb_path: %s
                """.formatted(database));
        // -p: the password from standard input; -u: the realm, which smtpd_sasl_local_domain names below.
        Process saslpasswd = new ProcessBuilder(SASLPASSWD.toString(), "-p", "-c", "-f", database.toString(),
                "-u", HOSTNAME, USERNAME).redirectErrorStream(true).start();
        try (var input = saslpasswd.getOutputStream()) {
            input.write(password.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(saslpasswd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!saslpasswd.waitFor(30, TimeUnit.SECONDS) || saslpasswd.exitValue() != 0) {
            throw new IllegalStateException("saslpasswd2 failed: " + output);
        }
        // smtpd reads the database after dropping root for the mail owner.
        setOwner(database, MAIL_OWNER);
    }

    private static Path createQueue(Path runtimeDirectory) throws IOException {
        Path queue = Files.createDirectories(runtimeDirectory.resolve("queue"));
        Files.setPosixFilePermissions(queue, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(queue.resolve("pid")); // the master's, as root
        for (String name : QUEUE_DIRECTORIES) {
            setOwner(Files.createDirectories(queue.resolve(name)), MAIL_OWNER);
        }
        return queue;
    }

    private static void setOwner(Path path, String user) throws IOException {
        UserPrincipal owner = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user);
        Files.setOwner(path, owner);
    }

    private static String mainCf(Path configDirectory, Path certificates, Path queueDirectory, Path dataDirectory) {
        return """
                compatibility_level = 3.6
                queue_directory = %s
                data_directory = %s
                # The log goes to a file of this instance (through postlogd), where markedDeliveries() reads.
                maillog_file = %s
                maillog_file_prefixes = %s
                myhostname = %s
                mydestination =
                alias_maps =
                inet_interfaces = 127.0.0.1
                inet_protocols = ipv4
                # No DNS: the peer is 127.0.0.1, and nothing is ever relayed.
                smtpd_peername_lookup = no
                smtp_dns_support_level = disabled

                # Everything accepted is thrown away, whatever its recipient.
                default_transport = discard
                local_transport = discard
                relay_transport = discard
                virtual_transport = discard

                # 256 concurrent clients, none slowed down or turned away by Postfix's abuse limits.
                default_process_limit = %d
                smtpd_client_connection_count_limit = 0
                smtpd_client_connection_rate_limit = 0
                smtpd_client_message_rate_limit = 0
                smtpd_client_recipient_rate_limit = 0
                smtpd_client_new_tls_session_rate_limit = 0
                smtpd_client_auth_rate_limit = 0
                # Otherwise smtpd pauses a client up to a second per mail when mail arrives faster than it leaves.
                in_flow_delay = 0
                # Idle daemons stay for the next phase, as under a provider's steady load: starting 256 smtpd at once
                # (each loading TLS and SASL) costs seconds of CPU the service would otherwise be measured with.
                max_idle = 3600s

                # A submission server: STARTTLS, then AUTH, then mail from authenticated users only.
                smtpd_tls_security_level = may
                smtpd_tls_cert_file = %s
                smtpd_tls_key_file = %s
                smtpd_tls_auth_only = yes
                smtpd_sasl_auth_enable = yes
                smtpd_sasl_type = cyrus
                smtpd_sasl_path = smtpd
                smtpd_sasl_local_domain = $myhostname
                smtpd_relay_restrictions = permit_sasl_authenticated, reject
                smtpd_recipient_restrictions = permit_sasl_authenticated, reject

                # A marked subject is logged with the message's queue ID (see markedDeliveries()).
                header_checks = regexp:%s
                """.formatted(queueDirectory, dataDirectory, configDirectory.resolve(LOG_FILE), configDirectory,
                HOSTNAME, PROCESS_LIMIT, certificates.resolve(TestCertificates.SERVER_CERTIFICATE_FILE),
                certificates.resolve(TestCertificates.SERVER_KEY_FILE), configDirectory.resolve(HEADER_CHECKS_FILE));
    }

    /** The daemons a submission server needs, none chrooted; no pickup, local or smtp client. */
    private static String masterCf(int port) {
        return """
                # service type private unpriv chroot wakeup maxproc command
                127.0.0.1:%d inet n - n - - smtpd
                cleanup unix n - n - 0 cleanup
                qmgr unix n - n 300 1 qmgr
                tlsmgr unix - - n 1000? 1 tlsmgr
                rewrite unix - - n - - trivial-rewrite
                bounce unix - - n - 0 bounce
                defer unix - - n - 0 bounce
                trace unix - - n - 0 bounce
                verify unix - - n - 1 verify
                flush unix n - n 1000? 0 flush
                proxymap unix - - n - - proxymap
                anvil unix - - n - 1 anvil
                scache unix - - n - 1 scache
                discard unix - - n - - discard
                postlog unix-dgram n - n - 1 postlogd
                """.formatted(port);
    }
}
