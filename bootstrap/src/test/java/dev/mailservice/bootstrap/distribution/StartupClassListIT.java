package dev.mailservice.bootstrap.distribution;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.adapters.config.AesGcmCipher;
import dev.mailservice.adapters.config.KeyValueConfigRepository;
import dev.mailservice.adapters.config.RedisStore;
import dev.mailservice.adapters.http.answers.Json;
import dev.mailservice.adapters.http.observe.RequestIds;
import dev.mailservice.bootstrap.ServiceClient;
import dev.mailservice.testkit.EtcdCluster;
import dev.mailservice.testkit.EtcdTestClient;
import dev.mailservice.testkit.RedisServer;
import dev.mailservice.testkit.RedisTestClient;
import dev.mailservice.testkit.ServiceProcess;
import io.helidon.common.features.HelidonFeatures;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lists of classes the packaged jar loads ahead of a start, one for each backend, against a
 * start of that jar on that backend, with the deployment's flags and a stored configuration, up
 * to its first answer on the reload route. A list that no longer matches such a start (a library
 * upgraded, the start changed) only costs start-up time, so a tenth either way is let pass; past
 * that the test fails, and the list to take in its place is the one it wrote, recorded from the
 * start it just made in the start's own order.
 */
class StartupClassListIT {

    /** Left to each side: classes the start loads that the list misses, and listed classes the start no longer loads. */
    private static final double TOLERATED_SHARE = 0.1;
    /** Where the jar holds the lists, as {@code StartupClasses} reads them. */
    private static final String LISTS = "dev/mailservice/bootstrap/startup-classes/";
    private static final String SECRET_KEY = "startup-classes-secret-key";
    private static final String STORED = "{\"host\": \"smtp.example.com\", \"port\": 587, \"fromEmail\": \"noreply@example.com\"}";
    /**
     * A class-loading line of {@code -Xlog:class+load} decorated with the thread's id, for a class
     * read from a jar of the class path.
     */
    private static final Pattern FROM_A_JAR = Pattern.compile("^\\[(\\d+)\\]\\[class,load\\] (\\S+) source: (?:file|jar):");

    /** The test's own requests, as the access log shows them. */
    private static final String RELOAD = "POST /api/v1/mail/updateSmtpConfig ";
    private static final String STATUS = "GET /api/v1/mail/smtpConfig ";
    /** Starts made at most for one measurement: a start that cannot be taken ({@link Retake}) is made again. */
    private static final int STARTS = 3;
    /**
     * Classes a start loads among the last before its ready line (Helidon's, as the web server
     * starts) and before its first answer (in writing it): a class log read then without them is
     * not the whole of the start's.
     */
    private static final String BY_READY = HelidonFeatures.class.getName();
    private static final String BY_FIRST_ANSWER = Json.class.getName();
    /** What the service says when it starts without the configuration the test stored. */
    private static final String NOTHING_APPLIED = "Starting with no SMTP configuration active";

    @RegisterExtension
    static final EtcdCluster ETCD = EtcdCluster.singleMember();
    @RegisterExtension
    static final RedisServer REDIS = RedisServer.plain();

    @TempDir
    Path directory;

    @ParameterizedTest
    @ValueSource(strings = {"file", "etcd", "redis"})
    void theListForEachBackendHoldsTheClassesAStartLoads(String backend) throws Exception {
        Path jar = Path.of(System.getProperty("service.jar"));
        List<String> started = List.copyOf(classesAStartLoads(backend, jar).byFirstAnswer().keySet());
        Path recorded = Path.of("target", "startup-classes", backend + ".txt");
        Files.createDirectories(recorded.getParent());
        Files.write(recorded, started);

        List<String> listed = listInside(jar, LISTS + backend + ".txt");
        Set<String> missed = new LinkedHashSet<>(started);
        listed.forEach(missed::remove);
        Set<String> stale = new LinkedHashSet<>(listed);
        started.forEach(stale::remove);
        String renew = "; take " + recorded.toAbsolutePath() + ", recorded from this start, as "
                + "bootstrap/src/main/resources/" + LISTS + backend + ".txt";
        assertTrue(missed.size() <= TOLERATED_SHARE * started.size(), missed.size() + " of the " + started.size()
                + " classes a start on " + backend + " loads are not in its list, such as " + firstOf(missed) + renew);
        assertTrue(stale.size() <= TOLERATED_SHARE * listed.size(), stale.size() + " of the " + listed.size()
                + " classes listed for " + backend + " are not loaded by its start, such as " + firstOf(stale) + renew);
    }

    /**
     * As a start does by default, the jar loads its list on a thread other than the main one, and
     * ahead of the start's need: the classes only the first request needs are there before any
     * request is made.
     */
    @Test
    void aStartLoadsItsListAheadOfItsNeedOnAThreadOfItsOwn() throws Exception {
        Path jar = Path.of(System.getProperty("service.jar"));
        List<String> listed = listInside(jar, LISTS + "file.txt");
        LoadedClasses own = classesAStartLoads("file", jar);
        Set<String> expected = new LinkedHashSet<>(listed);
        expected.retainAll(own.byFirstAnswer().keySet());
        Set<String> forTheRequestOnly = new LinkedHashSet<>(expected);
        forTheRequestOnly.removeAll(own.byReady().keySet());
        assertFalse(forTheRequestOnly.isEmpty(), "no listed class waits for the first request: nothing shows the loading ("
                + own.byReady().size() + " classes from the jars by the ready line, " + own.byFirstAnswer().size()
                + " by the first answer)");

        Map<String, Long> threads = measured(attempt -> {
            Path classLog = directory.resolve("ahead-" + attempt + ".log");
            try (ServiceProcess service = ServiceProcess.launchJar(directory, environmentStoring("file"), jar,
                            flags(true, classLog));
                    ServiceClient client = new ServiceClient(service.awaitReadyPort(), SCOPED_SECRET)) {
                // No request is made until the listed classes are loaded, or the time is up.
                Map<String, Long> loaded = fromTheJars(classLog);
                long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!loaded.keySet().containsAll(expected) && System.nanoTime() < giveUp) {
                    Thread.sleep(50);
                    loaded = fromTheJars(classLog);
                }
                requireWhole(loaded, BY_READY, classLog, service);
                client.status();
                service.close();
                requireOnlyRequest(STATUS, service);
                return loaded;
            }
        });
        Set<String> notYet = new LinkedHashSet<>(expected);
        notYet.removeAll(threads.keySet());
        assertTrue(notYet.isEmpty(), notYet.size() + " of the " + expected.size() + " listed classes were not "
                + "loaded before a request needed them, such as " + firstOf(notYet));
        long mainThread = threads.get("dev.mailservice.bootstrap.Main");
        long elsewhere = expected.stream().filter(name -> threads.get(name) != mainThread).count();
        assertTrue(elsewhere > expected.size() / 2, "only " + elsewhere + " of the " + expected.size()
                + " listed classes were loaded by a thread other than the main one");
    }

    /** The classes a start loaded from the jars, in their order, each with the thread that loaded it. */
    private record LoadedClasses(Map<String, Long> byReady, Map<String, Long> byFirstAnswer) {}

    /** What a start on {@code backend} loads from the jars by its ready line and by its first reload's answer. */
    private LoadedClasses classesAStartLoads(String backend, Path jar) throws Exception {
        return measured(attempt -> {
            Path classLog = directory.resolve(backend + "-classes-" + attempt + ".log");
            // Not loaded ahead, so that the log holds the start's own order.
            try (ServiceProcess service = ServiceProcess.launchJar(directory, environmentStoring(backend), jar,
                            flags(false, classLog));
                    ServiceClient client = new ServiceClient(service.awaitReadyPort(), SCOPED_SECRET)) {
                Map<String, Long> byReady = fromTheJars(classLog);
                requireWhole(byReady, BY_READY, classLog, service);
                HttpResponse<String> reloaded = client.reload();
                assertEquals(200, reloaded.statusCode(), reloaded.body());
                // Read now, before the stop's own classes are logged.
                Map<String, Long> byFirstAnswer = fromTheJars(classLog);
                requireWhole(byFirstAnswer, BY_FIRST_ANSWER, classLog, service);
                service.close();
                requireOnlyRequest(RELOAD, service);
                return new LoadedClasses(byReady, byFirstAnswer);
            }
        });
    }

    /** One measured start, which throws {@link Retake} when what it saw cannot be taken as the start's own. */
    @FunctionalInterface
    private interface Start<T> {
        T measure(int attempt) throws Exception;
    }

    /** Why a measured start cannot be taken; the start is made again. */
    private static final class Retake extends Exception {
        Retake(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * What {@code start} measured on a start seen whole and reached by no other client, making the
     * start again, up to {@link #STARTS} in all, when it {@linkplain Retake cannot be taken}.
     */
    private static <T> T measured(Start<T> start) throws Exception {
        List<String> reasons = new ArrayList<>();
        for (int attempt = 1; attempt <= STARTS; attempt++) {
            try {
                return start.measure(attempt);
            } catch (Retake retake) {
                reasons.add("start " + attempt + ": " + retake.getMessage());
                // In the test's output too, for a start made again and then measured.
                System.err.println("Measuring again: " + reasons.getLast());
            }
        }
        throw new AssertionError("none of " + STARTS + " starts could be measured: " + String.join("; ", reasons));
    }

    /**
     * Requires the one request {@code service}, stopped, answered on its API routes to be the test's
     * own {@code request}: every such request has its line in the access log by then. Test classes
     * run in two JVMs at once, and a client of the other one may call a port its service left just
     * as this start is given that port: its request would load classes that the test takes for the
     * start's own. (The endpoints' requests and those refused before routing have no line, but they
     * load few of the classes a request on an API route does.)
     */
    private static void requireOnlyRequest(String request, ServiceProcess service) throws Exception {
        Predicate<String> access = line -> line.contains(" " + RequestIds.ACCESS_LOGGER + " ");
        List<String> answered = service.output().stream().filter(access).toList();
        assertTrue(answered.stream().anyMatch(line -> line.contains(request)), "the test's own request is not in the "
                + "access log: " + answered);
        if (answered.size() != 1) {
            throw new Retake("reached by a request this test did not make: " + answered);
        }
    }

    /**
     * Requires {@code loaded}, read from {@code classLog} while {@code service} runs, to hold
     * {@code lastNeeded}, one of the last classes the start needed by then. A loaded CI run once
     * read a log that held not half of a start's classes after its first answer (cause not found):
     * such a start is described (the log's size and last line, and whatever the JVM printed besides
     * the service's own log lines) and made again.
     */
    private static void requireWhole(Map<String, Long> loaded, String lastNeeded, Path classLog, ServiceProcess service)
            throws Exception {
        if (!loaded.containsKey(lastNeeded)) {
            // A start that applied no configuration (its backend unread) loads less, whatever its log.
            assertFalse(service.output().stream().anyMatch(line -> line.contains(NOTHING_APPLIED)),
                    "the start applied no configuration: " + service.output());
            List<String> lines = Files.readAllLines(classLog);
            // The service's own lines start with their time; the JVM's warnings do not.
            List<String> jvm = service.output().stream().filter(line -> !line.matches("^\\d{4}-.*")).toList();
            throw new Retake("its class log holds " + lines.size() + " lines, " + loaded.size()
                    + " classes from the jars and no " + lastNeeded + "; its last line: "
                    + (lines.isEmpty() ? "none" : lines.getLast()) + "; the JVM printed: " + jvm);
        }
    }

    /** The deployment's JVM flags, with each class's loading logged to {@code classLog} with its thread. */
    private static List<String> flags(boolean loadAhead, Path classLog) throws IOException {
        List<String> flags = new ArrayList<>(ServiceProcess.deploymentJvmFlags(Path.of("bin", "java-env")));
        flags.addAll(List.of("-Dmailservice.preloadStartupClasses=" + loadAhead,
                "-Xlog:class+load=info:file=" + classLog + ":tid,tags"));
        return flags;
    }

    /** The classes {@code classLog} says were read from a jar of the class path, in their order, with their threads. */
    private static Map<String, Long> fromTheJars(Path classLog) throws IOException {
        Map<String, Long> loaded = new LinkedHashMap<>();
        for (String line : Files.readAllLines(classLog)) {
            Matcher fromAJar = FROM_A_JAR.matcher(line);
            if (fromAJar.find()) {
                loaded.put(fromAJar.group(2), Long.parseLong(fromAJar.group(1)));
            }
        }
        return loaded;
    }

    /** The service's variables for {@code backend}, with a configuration stored there first. */
    private Map<String, String> environmentStoring(String backend) throws Exception {
        Map<String, String> environment = new HashMap<>(Map.of("PORT", "0", "SCOPED_JWT_SECRET", SCOPED_SECRET,
                "JWT_SECRET", SCOPED_SECRET, "SMTP_CONFIG_BACKEND", backend, "SECRET_KEY", SECRET_KEY));
        String encrypted = new AesGcmCipher(SECRET_KEY).encrypt(STORED);
        switch (backend) {
            case "file" -> {
                Path file = directory.resolve("smtp.json");
                Files.writeString(file, STORED);
                environment.put("SMTP_CONFIG_FILE", file.toString());
            }
            case "etcd" -> {
                try (EtcdTestClient etcd = new EtcdTestClient(ETCD.endpoints())) {
                    etcd.put(KeyValueConfigRepository.PATH, encrypted);
                }
                environment.put("ETCD_ENDPOINTS", ETCD.endpointList());
            }
            case "redis" -> {
                try (RedisTestClient redis = REDIS.client()) {
                    redis.set(RedisStore.DEFAULT_KEY_PREFIX + KeyValueConfigRepository.PATH, encrypted);
                }
                environment.putAll(Map.of("REDIS_HOST", REDIS.host(), "REDIS_PORT", Integer.toString(REDIS.port())));
            }
            default -> throw new IllegalArgumentException(backend);
        }
        return environment;
    }

    private static List<String> listInside(Path jar, String entry) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            if (file.getEntry(entry) == null) {
                return List.of();
            }
            try (InputStream in = file.getInputStream(file.getEntry(entry))) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(line -> !line.isBlank())
                        .toList();
            }
        }
    }

    private static String firstOf(Set<String> classes) {
        return classes.stream().limit(3).toList().toString();
    }
}
