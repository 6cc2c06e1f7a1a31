package dev.mailservice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * How a cost grows: one figure measured at several points (concurrencies, replica counts) for
 * several contenders. Each is printed as a table and drawn as a chart of the same name.
 *
 * @param file   the chart's file name, without extension
 * @param xLabel what the points count
 * @param yLabel the figure and its unit
 * @param log    whether the chart's value axis is logarithmic (when contenders lie orders apart)
 */
record Growth(String file, String title, String xLabel, String yLabel, boolean log, List<Integer> points,
        List<Line> lines) {

    /** One contender's figure at every point: {@code key} names it in the results for a point. */
    record Line(String label, IntFunction<String> key) {}

    /** The lines' labels, which also name them in the charts (and so give each its colour). */
    static final String SERVICE = "service (default pool, " + BenchmarkSettings.SERVICE_DEFAULT_POOL_SIZE + ")";
    static final String PIPESHUB = "PipesHub (transport per mail)";
    static final String PIPESHUB_POOLED = "PipesHub with nodemailer's pool";
    static final String ETCD_P50 = "etcd p50";
    static final String ETCD_P99 = "etcd p99";
    static final String REDIS_P50 = "Redis p50";
    static final String REDIS_P99 = "Redis p99";

    /** The label of the service at a smaller pool. */
    static String servicePool(int size) {
        return "service, pool " + size;
    }

    static final List<Growth> ALL = List.of(
            new Growth("send-throughput", "Sends over STARTTLS + AUTH at a 10 ms round trip", "concurrent clients",
                    "mails/s", false, BenchmarkSettings.CONCURRENCIES, contenders("send_rps", true)),
            new Growth("send-p99", "Send latency p99, same runs", "concurrent clients", "ms", true,
                    BenchmarkSettings.CONCURRENCIES, contenders("send_p99_ms", true)),
            new Growth("memory", "Resident memory after each load, same runs", "concurrent clients", "MB", false,
                    BenchmarkSettings.CONCURRENCIES, contenders("rss_mb", false)),
            new Growth("convergence", "From a write to every replica applying it", "replicas", "ms", false,
                    BenchmarkSettings.REPLICAS, List.of(
                            new Line(ETCD_P50, r -> "etcd_convergence_p50_ms_r" + r),
                            new Line(ETCD_P99, r -> "etcd_convergence_p99_ms_r" + r),
                            new Line(REDIS_P50, r -> "redis_convergence_p50_ms_r" + r),
                            new Line(REDIS_P99, r -> "redis_convergence_p99_ms_r" + r))));

    /** The service and PipesHub's two send paths, and with {@code poolSizes} the service at its smaller pools. */
    private static List<Line> contenders(String figure, boolean poolSizes) {
        List<Line> lines = new ArrayList<>();
        lines.add(new Line(SERVICE, c -> figure + "_c" + c + "_tls"));
        if (poolSizes) {
            for (int size : BenchmarkSettings.POOL_SIZES.reversed()) {
                lines.add(new Line(servicePool(size), c -> figure + "_c" + c + "_tls_pool" + size));
            }
        }
        lines.add(new Line(PIPESHUB, c -> "pipeshub_" + figure + "_c" + c + "_tls"));
        lines.add(new Line(PIPESHUB_POOLED, c -> "pipeshub_pooled_" + figure + "_c" + c + "_tls"));
        return lines;
    }
}
