package dev.mailservice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** The table, the targets, and the JSON file. */
final class Results {

    private record Row(String key, String unit, String what) {}

    private static final List<Row> ROWS = List.of(
            new Row("noop_p50_ms", "ms", "authenticated GET /mail/smtpConfig, p50: the HTTP floor"),
            new Row("noop_p99_ms", "ms", "same, p99"),
            new Row("reload_file_p50_ms", "ms", "reload route, file backend, 1 client, p50 (a new configuration each time)"),
            new Row("reload_file_p99_ms", "ms", "same, p99"),
            new Row("reload_file_unchanged_p50_ms", "ms", "same, p50, the configuration unchanged (no swap)"),
            new Row("reload_etcd_p50_ms", "ms", "reload route, etcd backend, 1 client, p50 (a new value each time)"),
            new Row("reload_etcd_p99_ms", "ms", "same, p99"),
            new Row("reload_etcd_unchanged_p50_ms", "ms", "same, p50, the value unchanged (no swap)"),
            new Row("etcd_get_p50_ms", "ms", "raw jetcd GET of the key from the load process, p50, a new value each time: the etcd floor"),
            new Row("etcd_get_unchanged_p50_ms", "ms", "same, the value unchanged"),
            new Row("reload_redis_p50_ms", "ms", "reload route, Redis backend, 1 client, p50 (a new value each time)"),
            new Row("reload_redis_p99_ms", "ms", "same, p99"),
            new Row("reload_redis_unchanged_p50_ms", "ms", "same, p50, the value unchanged (no swap)"),
            new Row("redis_get_p50_ms", "ms", "raw Jedis GET of the key from the load process, p50, a new value each time: the Redis floor"),
            new Row("redis_get_unchanged_p50_ms", "ms", "same, the value unchanged"),
            new Row("reload_redis_to_get_ratio", "x", "reload_redis_p50_ms / redis_get_p50_ms"),
            new Row("reload_rps_c16", "req/s", "reload route, file backend, 16 clients"),
            new Row("send_rps_c1", "mail/s", "send route to the sink, 1 client"),
            new Row("send_rps_c16", "mail/s", "same, 16 clients"),
            new Row("send_rps_c64", "mail/s", "same, 64 clients"),
            new Row("smtp_raw_persistent_rps", "mail/s", "Jakarta Mail, same message, one kept-open connection: the SMTP floor"),
            new Row("smtp_per_message_connection_rps_c16", "mail/s", "connect, send, quit per message, 16 senders (PipesHub's way)"),
            new Row("smtp_connection_setup_ms", "ms", "connect, greeting, EHLO, QUIT to the sink, p50: what a new connection costs here"),
            new Row("send_p99_ms_c16", "ms", "send latency p99 at 16 clients"),
            new Row("send_p99_ms_c16_reload_storm", "ms", "same, while the configuration changes and reloads every 10 ms"),
            new Row("send_errors_reload_storm", "", "failed sends during that storm"),
            new Row("reloads_during_storm", "", "reloads the storm made"),
            new Row("send_sink_missing", "", "sends answered 200 that the sink did not count (must be 0)"),
            new Row("etcd_convergence_p50_ms", "ms", "3 replicas on one etcd: put to all three showing it, p50"),
            new Row("etcd_convergence_p99_ms", "ms", "same, p99"),
            new Row("redis_convergence_p50_ms", "ms", "3 replicas on one Redis: SET + PUBLISH to all three showing it, p50"),
            new Row("redis_convergence_p99_ms", "ms", "same, p99"),
            new Row("startup_ms", "ms", "process start to first 200 on the reload route, plain jar, median"),
            new Row("startup_cached_ms", "ms", "same, with the start-up cache the start scripts keep (AOT cache on JDK 25+)"),
            new Row("startup_classes", "", "classes a plain start loads, from its start to its stop after that first 200"),
            new Row("startup_floor_ms", "ms", "the floor, Helidon's web server alone on that route, started alike, plain, median"),
            new Row("startup_floor_cached_ms", "ms", "same, with a start-up cache of its own"),
            new Row("startup_vs_floor", "x", "a plain start of the service over one of the floor, in turns, median"),
            new Row("startup_cached_vs_floor", "x", "same, each with its start-up cache"),
            new Row("rss_idle_mb", "MB", "resident memory of the service, idle"),
            new Row("rss_after_load_mb", "MB", "same, after all the load above"),
            new Row("pipeshub_reload_etcd_p50_ms", "ms", "PipesHub's reload in Node (its loadAppConfig: 73 etcd reads and 22 writes), p50"),
            new Row("reload_vs_pipeshub_etcd", "x", "pipeshub_reload_etcd_p50_ms / reload_etcd_p50_ms, alternating rounds"),
            new Row("rtt_ms", "ms", "round trip the proxy adds between senders and the STARTTLS + AUTH server"),
            new Row("rtt_measured_ms", "ms", "that round trip as measured through the proxy (one-byte echo, p50)"),
            new Row("send_rps_c16_tls", "mail/s", "send route at that distance, 16 clients, default settings"),
            new Row("pipeshub_send_rps_c16_tls", "mail/s", "PipesHub's send path in Node (a new transport per mail), same"),
            new Row("pipeshub_pooled_send_rps_c16_tls", "mail/s", "the same with nodemailer's pool of "
                    + BenchmarkSettings.SERVICE_DEFAULT_POOL_SIZE + ", the service's default"),
            new Row("send_vs_pipeshub_c16_tls", "x", "send_rps_c16_tls / pipeshub_send_rps_c16_tls"),
            new Row("send_vs_pipeshub_pooled_c16_tls", "x", "send_rps_c16_tls / pipeshub_pooled_send_rps_c16_tls"),
            new Row("send_p99_ms_c16_tls", "ms", "send latency p99 at that distance, 16 clients"),
            new Row("pipeshub_send_p99_ms_c16_tls", "ms", "same, PipesHub's send path"),
            new Row("send_round_trips_c1_tls", "RTT", "send p50 at 1 client / rtt_measured_ms (floor: 4 on a reused connection)"),
            new Row("pipeshub_send_round_trips_c1_tls", "RTT", "same, PipesHub's send path (a new connection: about 11)"),
            new Row("send_rps_c256_tls", "mail/s", "send route at that distance, 256 clients"),
            new Row("send_tls_missing", "", "sends answered 200 at that distance that the server did not accept (must be 0)"),
            new Row("send_tls_duplicated", "", "sends at that distance the server accepted more than once (must be 0)"),
            new Row("send_p99_ms_c16_faultless", "ms", "send latency p99, 16 clients, at that distance to a server in Java "
                    + "(FaultSmtpServer: STARTTLS + AUTH) behaving"),
            new Row("send_p99_ms_c16_faults", "ms", "same, the server closing connections idle for 2 s, refusing a "
                    + "connection's 4th mail with 421 and answering 451 to one RCPT TO in twenty"),
            new Row("send_faults_p99_vs_faultless", "x", "send_p99_ms_c16_faults / send_p99_ms_c16_faultless"),
            new Row("send_rps_c16_faultless", "mail/s", "send route to that server behaving, 16 clients"),
            new Row("send_rps_c16_faults", "mail/s", "send route to that server misbehaving, 16 clients"),
            new Row("send_faults_delivered_ratio", "", "mails that server took / mails asked for, warm-up included (must be 1)"),
            new Row("send_faults_duplicated", "", "mails it took more than once (must be 0)"),
            new Row("send_faults_lost", "", "mails answered 200 that it did not take (must be 0)"),
            new Row("pipeshub_send_p99_ms_c16_faults", "ms", "PipesHub's send path to that server, p99"),
            new Row("pipeshub_send_rps_c16_faults", "mail/s", "same, mails/s"),
            new Row("pipeshub_send_faults_delivered_ratio", "", "same, mails it took / mails asked for"),
            new Row("pipeshub_send_faults_duplicated", "", "same, mails it took more than once"),
            new Row("console_first_render_ms", "ms", "console link to the status view's data on screen, headless Chromium, "
                    + "loopback, median of 15 loads"),
            new Row("send_rps_c16_recent_sends_kept", "mail/s", "send route to the sink, 16 clients, keeping the recent sends "
                    + "(the default)"),
            new Row("send_rps_c16_recent_sends_off", "mail/s", "same, MAIL_RECENT_SENDS=0, in alternating rounds"),
            new Row("recent_sends_kept_vs_off", "x", "send_rps_c16_recent_sends_kept / send_rps_c16_recent_sends_off"),
            new Row("send_password_rps_c16_tls", "mail/s", "send route at that distance over implicit TLS to a server in "
                    + "Java (GreenMail) taking a password or an OAuth 2.0 token, 16 clients, logging in with the password"),
            new Row("send_oauth2_rps_c16_tls", "mail/s", "same, logging in with an OAuth 2.0 access token (XOAUTH2)"),
            new Row("send_oauth2_vs_password_c16_tls", "x", "send_oauth2_rps_c16_tls / send_password_rps_c16_tls"),
            new Row("send_password_errors_c16_tls", "", "failed sends logging in with the password (must be 0)"),
            new Row("send_oauth2_errors_c16_tls", "", "failed sends logging in with a token (must be 0)"),
            new Row("oauth2_token_requests", "", "token requests during those rounds (a cached token: 0 unless one was renewed)"));

    private record Target(String description, Function<Map<String, Double>, Boolean> met) {}

    private static final List<Target> TARGETS = List.of(
            new Target("reload_file_p50_ms <= 2 x noop_p50_ms",
                    f -> f.get("reload_file_p50_ms") <= 2 * f.get("noop_p50_ms")),
            new Target("reload_etcd_p50_ms <= noop_p50_ms + 1.5 x etcd_get_p50_ms",
                    f -> f.get("reload_etcd_p50_ms") <= f.get("noop_p50_ms") + 1.5 * f.get("etcd_get_p50_ms")),
            new Target("send_rps_c16 >= 3 x smtp_per_message_connection_rps_c16",
                    f -> f.get("send_rps_c16") >= 3 * f.get("smtp_per_message_connection_rps_c16")),
            new Target("send_rps_c16 >= 0.7 x smtp_raw_persistent_rps",
                    f -> f.get("send_rps_c16") >= 0.7 * f.get("smtp_raw_persistent_rps")),
            new Target("send_p99_ms_c16_reload_storm <= 1.5 x send_p99_ms_c16",
                    f -> f.get("send_p99_ms_c16_reload_storm") <= 1.5 * f.get("send_p99_ms_c16")),
            new Target("send_errors_reload_storm = 0", f -> f.get("send_errors_reload_storm") == 0),
            new Target("reload_redis_p50_ms <= reload_etcd_p50_ms",
                    f -> f.get("reload_redis_p50_ms") <= f.get("reload_etcd_p50_ms")),
            new Target("etcd_convergence_p99_ms <= 200", f -> f.get("etcd_convergence_p99_ms") <= 200),
            new Target("redis_convergence_p99_ms <= 200", f -> f.get("redis_convergence_p99_ms") <= 200),
            new Target("startup_ms <= 1000", f -> f.get("startup_ms") <= 1000),
            new Target("startup_cached_ms <= 500", f -> f.get("startup_cached_ms") <= 500),
            new Target("rss_idle_mb <= 100", f -> f.get("rss_idle_mb") <= 100),
            new Target("rss_after_load_mb <= 256", f -> f.get("rss_after_load_mb") <= 256),
            new Target("send_vs_pipeshub_c16_tls >= 2.5", f -> f.get("send_vs_pipeshub_c16_tls") >= 2.5),
            new Target("send_p99_ms_c16_tls <= 0.5 x pipeshub_send_p99_ms_c16_tls",
                    f -> f.get("send_p99_ms_c16_tls") <= 0.5 * f.get("pipeshub_send_p99_ms_c16_tls")),
            new Target("send_round_trips_c1_tls <= 4.5", f -> f.get("send_round_trips_c1_tls") <= 4.5),
            new Target("send_oauth2_vs_password_c16_tls >= 0.95", f -> f.get("send_oauth2_vs_password_c16_tls") >= 0.95),
            new Target("console_first_render_ms <= 300", f -> f.get("console_first_render_ms") <= 300),
            new Target("recent_sends_kept_vs_off >= 0.95", f -> f.get("recent_sends_kept_vs_off") >= 0.95),
            new Target("send_rps_c256_tls >= send_rps_c16_tls", f -> f.get("send_rps_c256_tls") >= f.get("send_rps_c16_tls")),
            new Target("send_tls_missing = 0", f -> f.get("send_tls_missing") == 0),
            new Target("send_tls_duplicated = 0", f -> f.get("send_tls_duplicated") == 0),
            new Target("reload_vs_pipeshub_etcd >= 10", f -> f.get("reload_vs_pipeshub_etcd") >= 10),
            new Target("send_faults_delivered_ratio = 1", f -> f.get("send_faults_delivered_ratio") == 1),
            new Target("send_faults_duplicated = 0", f -> f.get("send_faults_duplicated") == 0),
            new Target("send_faults_lost = 0", f -> f.get("send_faults_lost") == 0),
            new Target("send_p99_ms_c16_faults <= 2 x send_p99_ms_c16_faultless",
                    f -> f.get("send_p99_ms_c16_faults") <= 2 * f.get("send_p99_ms_c16_faultless")));

    private Results() {}

    static void print(Map<String, Double> figures, Map<String, double[]> spread, BenchmarkSettings settings,
            String javaVersion) throws IOException {
        figures.put("reload_redis_to_get_ratio", figures.get("reload_redis_p50_ms") / figures.get("redis_get_p50_ms"));
        System.out.println("| key | value | what |");
        System.out.println("|---|---:|---|");
        for (Row row : ROWS) {
            System.out.printf(Locale.ROOT, "| `%s` | %s %s | %s |%n", row.key(), format(figures.get(row.key())),
                    row.unit(), row.what());
        }
        System.out.println();
        for (Growth growth : Growth.ALL) {
            printTable(growth, figures);
        }
        Map<String, Boolean> met = new LinkedHashMap<>();
        for (Target target : TARGETS) {
            boolean ok = target.met().apply(figures);
            met.put(target.description(), ok);
            System.out.printf("%s  %s%n", ok ? "met   " : "MISSED", target.description());
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("date", LocalDate.now().toString());
        document.put("mode", settings.quick() ? "quick" : "full");
        document.put("cores", Runtime.getRuntime().availableProcessors());
        document.put("jdk", javaVersion);
        document.put("serviceJvmFlags", settings.serviceJvmFlags());
        figures.forEach((key, value) -> document.put(key, round(value)));
        document.put("targets", met);
        Map<String, double[]> rounded = new LinkedHashMap<>();
        spread.forEach((key, range) -> rounded.put(key, new double[] {round(range[0]), round(range[1])}));
        document.put("roundsMinMax", rounded);
        Files.createDirectories(settings.resultsFile().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(settings.resultsFile().toFile(), document);
        System.out.println();
        System.out.println("Written to " + settings.resultsFile());
    }

    /** A growth series as a Markdown table: a row per point, a column per contender. */
    private static void printTable(Growth growth, Map<String, Double> figures) {
        System.out.printf("%s (%s)%n%n| %s |", growth.title(), growth.yLabel(), growth.xLabel());
        growth.lines().forEach(line -> System.out.print(" " + line.label() + " |"));
        System.out.println();
        System.out.println("|---:|" + "---:|".repeat(growth.lines().size()));
        for (int point : growth.points()) {
            System.out.print("| " + point + " |");
            growth.lines().forEach(line -> System.out.print(" " + format(figures.get(line.key().apply(point))) + " |"));
            System.out.println();
        }
        System.out.println();
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    private static String format(Double value) {
        if (value == null) {
            return "n/a";
        }
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.2f", value);
    }
}
