package dev.mailservice.bootstrap;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static dev.mailservice.testkit.Tokens.USER_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.adapters.http.HttpServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsTest {

    private static Map<String, String> environment(String... namesAndValues) {
        Map<String, String> environment = new HashMap<>();
        environment.put("SCOPED_JWT_SECRET", SCOPED_SECRET);
        environment.put("JWT_SECRET", USER_SECRET);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            environment.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return environment;
    }

    private static Map<String, String> etcdEnvironment(String... namesAndValues) {
        Map<String, String> environment = environment(namesAndValues);
        environment.put("SMTP_CONFIG_BACKEND", "etcd");
        environment.putIfAbsent("SECRET_KEY", "deployment-key");
        return environment;
    }

    private static Map<String, String> redisEnvironment(String... namesAndValues) {
        Map<String, String> environment = environment(namesAndValues);
        environment.putIfAbsent("SMTP_CONFIG_BACKEND", "redis");
        environment.putIfAbsent("SECRET_KEY", "deployment-key");
        return environment;
    }

    private static String refusal(Map<String, String> environment) {
        return assertThrows(InvalidSettingsException.class, () -> Settings.fromEnvironment(environment)).getMessage();
    }

    @Test
    void appliesTheDefaults() {
        Settings settings = Settings.fromEnvironment(environment());

        assertEquals(3000, settings.http().port());
        assertEquals(BackendSettings.Kind.FILE, settings.backend().kind());
        assertEquals(Path.of("config/smtp.json"), settings.backend().configFile());
        assertEquals(Duration.ofSeconds(10), settings.mail().smtp().timeout());
        assertEquals(Optional.of(SCOPED_SECRET), settings.tokens().scopedJwtSecret().map(Secret::reveal));
        assertTrue(settings.backend().watch());
        assertEquals(Optional.empty(), settings.backend().etcd());
    }

    @Test
    void readsEveryFileBackendVariable() {
        Settings settings = Settings.fromEnvironment(environment("PORT", "8081", "SMTP_CONFIG_BACKEND", "FILE",
                "SMTP_CONFIG_FILE", "/etc/mail/smtp.json", "SMTP_TIMEOUT_MS", "2500", "SMTP_CONFIG_WATCH", "off"));

        assertEquals(8081, settings.http().port());
        assertEquals(Path.of("/etc/mail/smtp.json"), settings.backend().configFile());
        assertEquals(Duration.ofMillis(2500), settings.mail().smtp().timeout());
        assertFalse(settings.backend().watch());
    }

    @Test
    void readsBothTokenSecretsAndThePool() {
        Settings settings = Settings.fromEnvironment(environment("SMTP_POOL_SIZE", "4", "SMTP_POOL_IDLE_MS", "5000"));

        assertEquals(Optional.of(USER_SECRET), settings.tokens().jwtSecret().map(Secret::reveal));
        assertEquals(4, settings.mail().smtp().poolSize());
        assertEquals(Duration.ofSeconds(5), settings.mail().smtp().poolIdle());
        assertEquals(32, Settings.fromEnvironment(environment()).mail().smtp().poolSize());
        assertEquals(Duration.ofMinutes(1), Settings.fromEnvironment(environment()).mail().smtp().poolIdle());
    }

    @Test
    void aSendsDeadlineIsThreeTimeoutsUnlessSetAndNeverBelowOne() {
        assertEquals(Duration.ofSeconds(30), Settings.fromEnvironment(environment()).mail().smtp().sendDeadline());
        assertEquals(Duration.ofSeconds(6), Settings.fromEnvironment(environment("SMTP_TIMEOUT_MS", "2000")).mail()
                .smtp().sendDeadline());
        assertEquals(Duration.ofSeconds(45), Settings.fromEnvironment(environment("SMTP_SEND_DEADLINE_MS", "45000"))
                .mail().smtp().sendDeadline());
        assertEquals("SMTP_SEND_DEADLINE_MS must be a whole number from 10000 to 1800000, got '5000'",
                refusal(environment("SMTP_SEND_DEADLINE_MS", "5000")));
        assertEquals("SMTP_TIMEOUT_MS must be a whole number from 1 to 600000, got '2s'",
                refusal(environment("SMTP_TIMEOUT_MS", "2s", "SMTP_SEND_DEADLINE_MS", "5000")),
                "a deadline is not held to the default of a timeout refused");
    }

    @Test
    void aConnectionCarriesAHundredMailsForFiveMinutesUnlessSet() {
        Settings defaults = Settings.fromEnvironment(environment());
        Settings set = Settings.fromEnvironment(environment("SMTP_CONNECTION_MAX_MAILS", "20",
                "SMTP_CONNECTION_MAX_AGE_MS", "60000"));

        assertEquals(100, defaults.mail().smtp().connectionMaxMails());
        assertEquals(Duration.ofMinutes(5), defaults.mail().smtp().connectionMaxAge());
        assertEquals(20, set.mail().smtp().connectionMaxMails());
        assertEquals(Duration.ofMinutes(1), set.mail().smtp().connectionMaxAge());
        assertEquals("SMTP_CONNECTION_MAX_MAILS must be a whole number from 1 to 1000000, got '0'",
                refusal(environment("SMTP_CONNECTION_MAX_MAILS", "0")));
    }

    @Test
    void aStoredValueMayBeAMebibyteUnlessSet() {
        assertEquals(1024 * 1024, Settings.fromEnvironment(environment()).backend().storedValueMaxBytes());
        assertEquals(4096, Settings.fromEnvironment(environment("STORED_VALUE_MAX_BYTES", "4096")).backend()
                .storedValueMaxBytes());
        assertEquals("STORED_VALUE_MAX_BYTES must be a whole number from 1024 to 8388608, got '100'",
                refusal(environment("STORED_VALUE_MAX_BYTES", "100")));
    }

    @Test
    void requiringTlsOfTheSmtpServerIsOffUnlessAsked() {
        assertFalse(Settings.fromEnvironment(environment()).mail().smtp().requireTls());
        assertTrue(Settings.fromEnvironment(environment("SMTP_REQUIRE_TLS", "true")).mail().smtp().requireTls());
        assertFalse(Settings.fromEnvironment(environment()).mail().verifyOnSave());
        assertFalse(Settings.fromEnvironment(environment()).mail().verifyOnApply());
        assertTrue(Settings.fromEnvironment(environment("SMTP_VERIFY_ON_SAVE", "true")).mail().verifyOnSave());
        assertTrue(Settings.fromEnvironment(environment("SMTP_VERIFY_ON_APPLY", "yes")).mail().verifyOnApply());
    }

    @Test
    void theBrandAndTheHidingOfSecretsFollowPipesHubsDefaults() {
        Settings defaults = Settings.fromEnvironment(environment());
        assertEquals("PipesHub", defaults.mail().brandName());
        assertFalse(defaults.http().hideSecretConfig());
        assertEquals("Acme Cloud",
                Settings.fromEnvironment(environment("MAIL_BRAND_NAME", "Acme Cloud")).mail().brandName());
        assertTrue(Settings.fromEnvironment(environment("HIDE_SECRET_CONFIG", "true")).http().hideSecretConfig());
        assertEquals("MAIL_BRAND_NAME must be one line of at most 100 characters",
                refusal(environment("MAIL_BRAND_NAME", "Acme\nCloud")));
    }

    @Test
    void microsoftsAuthorityIsThePublicCloudsUnlessAnHttpsUrlIsGiven() {
        assertEquals(URI.create("https://login.microsoftonline.com"),
                Settings.fromEnvironment(environment()).mail().microsoftAuthority());
        assertEquals(URI.create("https://login.microsoftonline.us"), Settings.fromEnvironment(
                environment("OAUTH2_MICROSOFT_AUTHORITY", "https://login.microsoftonline.us")).mail().microsoftAuthority());
        for (String bad : List.of("http://login.microsoftonline.com", "https://login.example?tenant=x", "not a url")) {
            assertTrue(refusal(environment("OAUTH2_MICROSOFT_AUTHORITY", bad)).startsWith(
                    "OAUTH2_MICROSOFT_AUTHORITY must be an https URL with a host"), bad);
        }
    }

    @Test
    void recipientCapAndIdleTimeoutHaveDefaultsAndAreRefusedByNameWhenMalformed() {
        Settings defaults = Settings.fromEnvironment(environment());
        assertEquals(50, defaults.mail().maxRecipients());
        assertEquals(Duration.ofSeconds(20), defaults.http().idleTimeout());
        assertEquals(5, Settings.fromEnvironment(environment("MAIL_MAX_RECIPIENTS", "5")).mail().maxRecipients());
        assertEquals(Duration.ofMillis(1500),
                Settings.fromEnvironment(environment("HTTP_IDLE_TIMEOUT_MS", "1500")).http().idleTimeout());
        assertEquals("MAIL_MAX_RECIPIENTS must be a whole number from 1 to 10000, got '0'",
                refusal(environment("MAIL_MAX_RECIPIENTS", "0")));
        assertEquals("HTTP_IDLE_TIMEOUT_MS must be a whole number from 100 to 600000, got 'soon'",
                refusal(environment("HTTP_IDLE_TIMEOUT_MS", "soon")));
        assertEquals(HttpServer.connectionsForHeap(Runtime.getRuntime().maxMemory()), defaults.http().maxConnections());
        assertEquals(300, Settings.fromEnvironment(environment("HTTP_MAX_CONNECTIONS", "300")).http().maxConnections());
        assertEquals("HTTP_MAX_CONNECTIONS must be a whole number from 1 to 1000000, got '0'",
                refusal(environment("HTTP_MAX_CONNECTIONS", "0")));
        // Under 4 ms, Helidon's idle check would have a period of 0, and the server would fail to start.
        assertEquals("HTTP_IDLE_TIMEOUT_MS must be a whole number from 100 to 600000, got '2'",
                refusal(environment("HTTP_IDLE_TIMEOUT_MS", "2")));
    }

    @Test
    void theUserTokenSecretFollowsTheSameRules() {
        Map<String, String> environment = environment();
        environment.remove("JWT_SECRET");
        assertTrue(refusal(environment).startsWith("JWT_SECRET is required"));
        assertEquals("JWT_SECRET is too short: 5 characters, at least 20 are needed; make one with: openssl rand -hex 32",
                refusal(environment("JWT_SECRET", "short")));
    }

    @Test
    void everyMissingOrWrongVariableIsNamedInOneMessageWithAWayToMakeTheSecrets() {
        Map<String, String> environment = environment("PORT", "http", "SMTP_POOL_SIZE", "0", "SMTP_CONFIG_WATCH", "maybe",
                "LOG_FORMAT", "xml", "JWT_SECRET", "short");
        environment.remove("SCOPED_JWT_SECRET");

        assertEquals("""
                6 settings are missing or wrong:
                  SMTP_CONFIG_WATCH must be true or false, got 'maybe'
                  PORT must be a whole number from 0 to 65535, got 'http'
                  SMTP_POOL_SIZE must be a whole number from 1 to 256, got '0'
                  SCOPED_JWT_SECRET is required: the secret scoped tokens are signed with, at least 20 characters (with \
                SMTP_CONFIG_BACKEND=etcd or redis it may instead come from the store); beside PipesHub give PipesHub's \
                own, else make one with: openssl rand -hex 32
                  JWT_SECRET is too short: 5 characters, at least 20 are needed; make one with: openssl rand -hex 32
                  LOG_FORMAT must be 'text' or 'json', got 'xml'""", refusal(environment));
    }

    @Test
    void everyMissingOrWrongVariableOfAStoreIsNamedTooWithoutShowingASecret() {
        Map<String, String> environment = etcdEnvironment("ETCD_ENDPOINTS", "etcd:2379", "ETCD_DIAL_TIMEOUT", "0",
                "REDIS_PASSWORD", "not-read-on-etcd");
        environment.remove("SECRET_KEY");

        assertEquals("""
                3 settings are missing or wrong:
                  ETCD_ENDPOINTS must give etcd URLs like http://etcd:2379, without credentials, got 'etcd:2379'
                  ETCD_DIAL_TIMEOUT must be a whole number from 1 to 600000, got '0'
                  SECRET_KEY is required with SMTP_CONFIG_BACKEND=etcd: the key PipesHub encrypts the values in etcd \
                with; beside PipesHub give PipesHub's own, else make one with: openssl rand -hex 32""", refusal(environment));
    }

    @Test
    void aBadPoolSizeIsRefusedByName() {
        assertEquals("SMTP_POOL_SIZE must be a whole number from 1 to 256, got '0'", refusal(environment("SMTP_POOL_SIZE", "0")));
    }

    @Test
    void aMissingScopedSecretIsRefusedByNameWithTheFileBackend() {
        Map<String, String> environment = environment();
        environment.remove("SCOPED_JWT_SECRET");

        assertTrue(refusal(environment).startsWith("SCOPED_JWT_SECRET is required"));
    }

    @Test
    void anEmptyScopedSecretIsRefusedByName() {
        assertTrue(refusal(environment("SCOPED_JWT_SECRET", "")).startsWith("SCOPED_JWT_SECRET is required"));
    }

    @Test
    void aShortScopedSecretIsRefusedByNameWithoutShowingIt() {
        assertEquals("SCOPED_JWT_SECRET is too short: 19 characters, at least 20 are needed; make one with: "
                + "openssl rand -hex 32",
                refusal(environment("SCOPED_JWT_SECRET", "nineteen-characters")));
    }

    @Test
    void aSecretOfTwentyCharactersIsEnough() {
        assertEquals(Optional.of("twenty-characters-ok"),
                Settings.fromEnvironment(environment("SCOPED_JWT_SECRET", "twenty-characters-ok")).tokens()
                        .scopedJwtSecret().map(Secret::reveal));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "65536", "http", "80.5"})
    void aBadPortIsRefusedByName(String port) {
        assertEquals("PORT must be a whole number from 0 to 65535, got '" + port + "'", refusal(environment("PORT", port)));
    }

    @Test
    void anUnknownBackendIsRefusedByName() {
        assertEquals("SMTP_CONFIG_BACKEND must be 'file', 'etcd' or 'redis', got 'consul'",
                refusal(environment("SMTP_CONFIG_BACKEND", "consul")));
    }

    /** The backend meant may be a store that holds the token secrets, as beside PipesHub. */
    @Test
    void anUnknownBackendIsTheOnlyRefusalWhenTheTokenSecretsAreLeftOut() {
        Map<String, String> backend = environment("SMTP_CONFIG_BACKEND", "etdc");
        Map<String, String> store = environment("KV_STORE_TYPE", "rediss");
        for (Map<String, String> unknown : List.of(backend, store)) {
            unknown.remove("SCOPED_JWT_SECRET");
            unknown.remove("JWT_SECRET");
        }

        assertEquals("SMTP_CONFIG_BACKEND must be 'file', 'etcd' or 'redis', got 'etdc'", refusal(backend));
        assertEquals("KV_STORE_TYPE must be 'redis' or 'etcd', got 'rediss'", refusal(store));
    }

    @Test
    void aBadTimeoutIsRefusedByName() {
        assertEquals("SMTP_TIMEOUT_MS must be a whole number from 1 to 600000, got '0'",
                refusal(environment("SMTP_TIMEOUT_MS", "0")));
    }

    @Test
    void aBadWatchFlagIsRefusedByName() {
        assertEquals("SMTP_CONFIG_WATCH must be true or false, got 'maybe'",
                refusal(environment("SMTP_CONFIG_WATCH", "maybe")));
    }

    @Test
    void etcdDefaultsToPipesHubsAddressAndDialTimeout() {
        EtcdSettings etcd = Settings.fromEnvironment(etcdEnvironment()).backend().etcd().orElseThrow();

        assertEquals(List.of(URI.create("http://localhost:2379")), etcd.endpoints());
        assertEquals(Duration.ofMillis(2000), etcd.dialTimeout());
        assertEquals(Duration.ofSeconds(60), etcd.secretsWait());
        assertEquals("deployment-key", etcd.secretKey().reveal());
    }

    @Test
    void etcdHostAndPortAreJoinedAsPipesHubDoes() {
        assertEquals(List.of(URI.create("http://etcd.internal:12379")), Settings.fromEnvironment(
                etcdEnvironment("ETCD_HOST", "http://etcd.internal", "ETCD_PORT", "12379", "ETCD_DIAL_TIMEOUT", "750"))
                .backend().etcd().orElseThrow().endpoints());
        assertEquals(List.of(URI.create("http://etcd:2379")), Settings.fromEnvironment(
                etcdEnvironment("ETCD_HOST", "etcd")).backend().etcd().orElseThrow().endpoints());
    }

    @Test
    void etcdEndpointsListACluster() {
        EtcdSettings etcd = Settings.fromEnvironment(etcdEnvironment(
                "ETCD_ENDPOINTS", "http://10.0.0.1:2379, http://10.0.0.2:2379,https://10.0.0.3:2379",
                "ETCD_HOST", "http://ignored")).backend().etcd().orElseThrow();

        assertEquals(List.of(URI.create("http://10.0.0.1:2379"), URI.create("http://10.0.0.2:2379"),
                URI.create("https://10.0.0.3:2379")), etcd.endpoints());
    }

    @Test
    void aMalformedEtcdEndpointIsRefusedByName() {
        assertEquals("ETCD_ENDPOINTS must give etcd URLs like http://etcd:2379, without credentials, got "
                + "'etcd-without-port'", refusal(etcdEnvironment("ETCD_ENDPOINTS", "etcd-without-port")));
    }

    /** The client would not use them, and the URL is logged: refused, and not quoted back. */
    @Test
    void credentialsInAnEtcdOrRedisUrlAreRefusedWithoutBeingQuoted() {
        assertEquals("ETCD_HOST must give etcd URLs like http://etcd:2379, without credentials, got "
                + "'http://<credentials>@etcd:2379'", refusal(etcdEnvironment("ETCD_HOST", "http://root:s3cret@etcd")));
        String refusal = refusal(redisEnvironment("REDIS_HOST", "redis://:s3cret@cache"));
        assertTrue(refusal.contains("REDIS_HOST must be a host name or an IP address, got 'redis://<credentials>@cache'"),
                refusal);
        assertFalse(refusal.contains("s3cret"), refusal);
    }

    /** Without a scheme, or with a password that holds a slash or an at sign. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "root:s3cret@etcd:2379|<credentials>@etcd:2379",
        "http://root:ab/s3cret@etcd:2379|http://<credentials>@etcd:2379",
        "http://root:s3@cret@etcd:2379|http://<credentials>@etcd:2379",
        ":s3cret@cache|<credentials>@cache"})
    void credentialsAreLeftOutOfAQuotedValueHoweverTheyAreWritten(String value, String quoted) {
        assertEquals(quoted, Environment.quotable(value));
    }

    @Test
    void etcdNeedsTheSecretKey() {
        Map<String, String> environment = etcdEnvironment();
        environment.remove("SECRET_KEY");

        assertTrue(refusal(environment).startsWith("SECRET_KEY is required with SMTP_CONFIG_BACKEND=etcd"));
    }

    @Test
    void withEtcdTheTokenSecretsMayComeFromEtcd() {
        Map<String, String> environment = etcdEnvironment();
        environment.remove("SCOPED_JWT_SECRET");
        environment.remove("JWT_SECRET");

        assertEquals(Optional.empty(), Settings.fromEnvironment(environment).tokens().scopedJwtSecret());
        assertEquals(Optional.empty(), Settings.fromEnvironment(environment).tokens().jwtSecret());
    }

    @Test
    void toStringLeavesTheSecretsOut() {
        String printed = Settings.fromEnvironment(etcdEnvironment()).toString();

        assertFalse(printed.contains(SCOPED_SECRET), printed);
        assertFalse(printed.contains(USER_SECRET), printed);
        assertFalse(printed.contains("deployment-key"), printed);
    }

    @Test
    void redisDefaultsArePipesHubs() {
        RedisSettings redis = Settings.fromEnvironment(redisEnvironment()).backend().redis().orElseThrow();

        assertEquals(new RedisSettings("localhost", 6379, Optional.empty(), Optional.empty(), false, 0,
                Duration.ofSeconds(10), "pipeshub:kv:", new Secret("deployment-key"), Duration.ofSeconds(60)), redis);
    }

    @Test
    void readsEveryRedisVariable() {
        RedisSettings redis = Settings.fromEnvironment(redisEnvironment("REDIS_HOST", "redis.internal",
                "REDIS_PORT", "16379", "REDIS_USERNAME", "mail", "REDIS_PASSWORD", "redis-password", "REDIS_TLS", "true",
                "REDIS_DB", "3", "REDIS_TIMEOUT", "2500", "REDIS_KV_PREFIX", "tenant:", "REDIS_SECRETS_WAIT_MS", "5000"))
                .backend().redis().orElseThrow();

        assertEquals(new RedisSettings("redis.internal", 16379, Optional.of("mail"),
                Optional.of(new Secret("redis-password")), true, 3, Duration.ofMillis(2500), "tenant:",
                new Secret("deployment-key"), Duration.ofSeconds(5)), redis);
    }

    @Test
    void anIpv6RedisHostIsTaken() {
        assertEquals("::1", Settings.fromEnvironment(redisEnvironment("REDIS_HOST", "::1")).backend().redis()
                .orElseThrow().host());
    }

    @Test
    void anEmptyKeyPrefixIsPipesHubsDefaultAsInPipesHub() {
        assertEquals("pipeshub:kv:", Settings.fromEnvironment(redisEnvironment("REDIS_KV_PREFIX", ""))
                .backend().redis().orElseThrow().keyPrefix());
    }

    @Test
    void withoutSmtpConfigBackendPipesHubsKvStoreTypeChooses() {
        Map<String, String> redis = redisEnvironment("KV_STORE_TYPE", "Redis");
        redis.remove("SMTP_CONFIG_BACKEND");
        Map<String, String> etcd = etcdEnvironment("KV_STORE_TYPE", "etcd");
        etcd.remove("SMTP_CONFIG_BACKEND");

        assertEquals(BackendSettings.Kind.REDIS, Settings.fromEnvironment(redis).backend().kind());
        assertEquals(BackendSettings.Kind.ETCD, Settings.fromEnvironment(etcd).backend().kind());
        assertEquals(BackendSettings.Kind.FILE, Settings.fromEnvironment(environment("KV_STORE_TYPE", "redis",
                "SMTP_CONFIG_BACKEND", "file")).backend().kind(), "SMTP_CONFIG_BACKEND comes first");
        assertEquals(BackendSettings.Kind.FILE, Settings.fromEnvironment(environment()).backend().kind());
    }

    @Test
    void anUnknownKvStoreTypeIsRefusedByName() {
        assertEquals("KV_STORE_TYPE must be 'redis' or 'etcd', got 'consul'",
                refusal(environment("KV_STORE_TYPE", "consul")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "REDIS_PORT|0|REDIS_PORT must be a whole number from 1 to 65535, got '0'",
            "REDIS_PORT|redis|REDIS_PORT must be a whole number from 1 to 65535, got 'redis'",
            "REDIS_DB|-1|REDIS_DB must be a whole number from 0 to 2147483647, got '-1'",
            "REDIS_TIMEOUT|0|REDIS_TIMEOUT must be a whole number from 1 to 600000, got '0'",
            "REDIS_TLS|sometimes|REDIS_TLS must be true or false, got 'sometimes'",
            "REDIS_HOST|redis host|REDIS_HOST must be a host name or an IP address, got 'redis host'",
            "REDIS_HOST|redis:6380|REDIS_HOST must be a host name or an IP address, got 'redis:6380'",
            "REDIS_SECRETS_WAIT_MS|soon|REDIS_SECRETS_WAIT_MS must be a whole number from 1 to 600000, got 'soon'"})
    void aMalformedRedisValueIsRefusedByName(String name, String value, String message) {
        assertEquals(message, refusal(redisEnvironment(name, value)));
    }

    @Test
    void redisNeedsTheSecretKey() {
        Map<String, String> environment = redisEnvironment();
        environment.remove("SECRET_KEY");

        assertTrue(refusal(environment).startsWith("SECRET_KEY is required with SMTP_CONFIG_BACKEND=redis: the key "
                + "PipesHub encrypts the values in Redis with"), refusal(environment));
    }

    @Test
    void withRedisTheTokenSecretsMayComeFromRedis() {
        Map<String, String> environment = redisEnvironment();
        environment.remove("SCOPED_JWT_SECRET");
        environment.remove("JWT_SECRET");

        assertEquals(Optional.empty(), Settings.fromEnvironment(environment).tokens().scopedJwtSecret());
    }

    @Test
    void theRedisPasswordIsNeverPrinted() {
        String printed = Settings.fromEnvironment(redisEnvironment("REDIS_PASSWORD", "redis-password")).toString();

        assertFalse(printed.contains("redis-password"), printed);
        assertFalse(printed.contains("deployment-key"), printed);
        assertTrue(printed.contains("redis=Optional[RedisSettings[host=localhost"), printed);
    }

    @Test
    void aSecretPrintsHiddenAndComparesByValue() {
        assertEquals("Secret[hidden]", new Secret("redis-password").toString());
        assertEquals("redis-password", new Secret("redis-password").reveal());
        assertEquals(new Secret("redis-password"), new Secret("redis-password"));
        assertFalse(new Secret("redis-password").equals(new Secret("deployment-key")));
    }

    @Test
    void tlsCaFileIsAPathThatCanBeReadNamedWithTheOtherSettingsWhenItCannot() throws Exception {
        Path caFile = Files.createTempFile("extra", ".pem");
        try {
            assertEquals(Optional.of(caFile),
                    Settings.fromEnvironment(environment("TLS_CA_FILE", caFile.toString())).tlsCaFile());
        } finally {
            Files.delete(caFile);
        }
        assertEquals(Optional.empty(), Settings.fromEnvironment(environment()).tlsCaFile());

        String refusal = refusal(environment("TLS_CA_FILE", "/nonexistent/extra.pem", "PORT", "http"));

        assertTrue(refusal.startsWith("2 settings are missing or wrong:"), refusal);
        assertTrue(refusal.contains("TLS_CA_FILE cannot be read: /nonexistent/extra.pem"), refusal);
        String aDirectory = refusal(environment("TLS_CA_FILE", System.getProperty("java.io.tmpdir")));
        assertTrue(aDirectory.contains("TLS_CA_FILE cannot be read: "), aDirectory);
    }

    @Test
    void operationsSettingsHaveTheirDefaults() {
        Settings settings = Settings.fromEnvironment(environment());

        assertEquals(OptionalInt.empty(), settings.http().observePort());
        assertFalse(settings.http().readyRequiresSmtp());
        assertEquals(Duration.ofSeconds(5), settings.http().shutdownGrace());
        assertEquals(LogFormat.TEXT, settings.logFormat());
    }

    @Test
    void aStopWaitsForTheRequestsUnderWayAsLongAsASendMayTake() {
        // By default a send may take three times SMTP_TIMEOUT_MS (10 s), after up to 5 s waiting for
        // room for its body: 35 s, and 2 s to answer.
        assertEquals(Duration.ofSeconds(37), Settings.fromEnvironment(environment()).drainTimeout());
        assertEquals(Duration.ofSeconds(607),
                Settings.fromEnvironment(environment("SMTP_SEND_DEADLINE_MS", "600000")).drainTimeout());
        assertEquals(Duration.ofSeconds(20), Settings.fromEnvironment(environment("SMTP_TIMEOUT_MS", "2000",
                "SMTP_SEND_DEADLINE_MS", "5000")).drainTimeout());
    }

    @Test
    void readsEveryOperationsSetting() {
        Settings settings = Settings.fromEnvironment(environment("OBSERVE_PORT", "9090", "READY_REQUIRES_SMTP", "true",
                "SHUTDOWN_GRACE_MS", "0", "LOG_FORMAT", "JSON"));

        assertEquals(OptionalInt.of(9090), settings.http().observePort());
        assertTrue(settings.http().readyRequiresSmtp());
        assertEquals(Duration.ZERO, settings.http().shutdownGrace());
        assertEquals(LogFormat.JSON, settings.logFormat());
    }

    @Test
    void anObservePortThatIsTheApiPortIsRefusedSayingSo() {
        assertEquals("OBSERVE_PORT must differ from PORT (3000); leave it unset to serve health and metrics on PORT",
                refusal(environment("OBSERVE_PORT", "3000")));
        assertEquals("OBSERVE_PORT must differ from PORT (8080); leave it unset to serve health and metrics on PORT",
                refusal(environment("PORT", "8080", "OBSERVE_PORT", "8080")));
        assertEquals(OptionalInt.of(0), Settings.fromEnvironment(environment("PORT", "0", "OBSERVE_PORT", "0"))
                .http().observePort(), "two free ports, each picked for itself");
        assertEquals("PORT must be a whole number from 0 to 65535, got '3000x'",
                refusal(environment("PORT", "3000x", "OBSERVE_PORT", "3000")), "not compared with the default PORT");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "OBSERVE_PORT|70000|OBSERVE_PORT must be a whole number from 0 to 65535, got '70000'",
            "READY_REQUIRES_SMTP|sometimes|READY_REQUIRES_SMTP must be true or false, got 'sometimes'",
            "SHUTDOWN_GRACE_MS|-1|SHUTDOWN_GRACE_MS must be a whole number from 0 to 600000, got '-1'",
            "LOG_FORMAT|xml|LOG_FORMAT must be 'text' or 'json', got 'xml'"})
    void aMalformedOperationsSettingIsRefusedByName(String name, String value, String message) {
        assertEquals(message, refusal(environment(name, value)));
    }
}
