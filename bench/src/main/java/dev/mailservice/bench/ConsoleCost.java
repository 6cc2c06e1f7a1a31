package dev.mailservice.bench;

import dev.mailservice.testkit.Browser;
import dev.mailservice.testkit.FreePorts;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * What the operator console costs: how soon a browser shows the status view's data after it is
 * asked for the page (Debian's Chromium, headless, on loopback: the navigation's own timing to the
 * moment the view's data is on screen, which the console marks), and what keeping the recent sends
 * costs sends (the same service with {@code MAIL_RECENT_SENDS=0} beside it, in alternating rounds).
 */
record ConsoleCost(BenchmarkSettings settings, SmtpSink sink, String mail) {

    /** Page loads measured, after as many unmeasured ones. */
    private static final int LOADS = 15;

    void measure(Map<String, Double> figures, Map<String, double[]> spread) throws Exception {
        Path file = Benchmark.writeConfiguration(settings, "console.json", sink.port(), "console@bench.example");
        Map<String, String> common = Map.of("SMTP_CONFIG_FILE", file.toString(), "SMTP_CONFIG_WATCH", "false");
        Map<String, String> off = new HashMap<>(common);
        off.put("MAIL_RECENT_SENDS", "0");
        try (BenchedService kept = BenchedService.start(settings, FreePorts.pick(), common, null);
                BenchedService none = BenchedService.start(settings, FreePorts.pick(), off, null)) {
            figures.put("console_first_render_ms", firstRenderMillis(kept));

            Measurements.concurrent(16, settings.warmUpSeconds(), kept.sending(mail));
            Measurements.concurrent(16, settings.warmUpSeconds(), none.sending(mail));
            Rounds rounds = new Rounds();
            for (int round = 0; round < settings.sendRounds(); round++) {
                boolean keptFirst = round % 2 == 0;
                for (BenchedService service : keptFirst ? new BenchedService[] {kept, none}
                        : new BenchedService[] {none, kept}) {
                    Measurements.Result phase = Measurements.concurrent(16, settings.leadInSeconds(),
                            settings.roundPhaseSeconds(), service.sending(mail));
                    rounds.add(service == kept ? "send_rps_c16_recent_sends_kept" : "send_rps_c16_recent_sends_off",
                            phase.perSecond());
                }
            }
            rounds.publish(figures, spread);
            figures.put("recent_sends_kept_vs_off", figures.get("send_rps_c16_recent_sends_kept")
                    / figures.get("send_rps_c16_recent_sends_off"));
        }
    }

    /** The median, over {@link #LOADS} loads of the console's link, of the time to the status view's data on screen. */
    private static double firstRenderMillis(BenchedService service) throws Exception {
        try (Browser browser = Browser.start(1280)) {
            double[] loads = new double[LOADS];
            for (int load = -LOADS; load < LOADS; load++) {
                browser.driver().get("about:blank");
                browser.driver().get(service.consoleLink());
                browser.await().until(ExpectedConditions.attributeToBe(By.id("view"), "data-ready", "status"));
                Object ready = browser.driver().executeScript(
                        "return performance.getEntriesByName('view-ready', 'mark')[0].startTime");
                if (load >= 0) {
                    loads[load] = ((Number) ready).doubleValue();
                }
            }
            Arrays.sort(loads);
            return loads[LOADS / 2];
        }
    }
}
