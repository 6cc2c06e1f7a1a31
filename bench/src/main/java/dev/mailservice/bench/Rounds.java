package dev.mailservice.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of a comparison measured in rounds that alternate between the contenders, so that
 * a machine that slows down for a while slows every contender alike. Each figure published is
 * the median of its rounds; its minimum and maximum go beside it.
 */
final class Rounds {

    private final Map<String, List<Double>> samples = new LinkedHashMap<>();

    /** One round's value of {@code key}. */
    void add(String key, double value) {
        samples.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }

    /** Puts every key's median into {@code figures} and its {@code [min, max]} into {@code spread}. */
    void publish(Map<String, Double> figures, Map<String, double[]> spread) {
        samples.forEach((key, values) -> {
            List<Double> sorted = values.stream().sorted().toList();
            int n = sorted.size();
            double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
            figures.put(key, median);
            spread.put(key, new double[] {sorted.get(0), sorted.get(n - 1)});
        });
    }
}
