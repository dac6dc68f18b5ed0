package org.metric4j.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.metric4j.engine.BenchConfig;
import org.metric4j.engine.MemoryProbe;

/**
 * Times one benchmark case: warm-up iterations, then timed ones, with the process's peak resident
 * memory over the whole case. The result is one JSON object.
 */
public final class CaseTimer {

    private CaseTimer() {}

    /**
     * Runs {@code iteration} {@code config.warmup()} + {@code config.iterations()} times.
     *
     * @param name the case name
     * @param config the configuration
     * @param iteration one iteration (must free what it allocates)
     * @param extra fields added to the JSON line (sizes and the like)
     * @return the JSON fields, name first
     */
    public static Map<String, Object> time(
            String name, BenchConfig config, Runnable iteration, Map<String, Object> extra) {
        System.gc();
        double rssBefore = MemoryProbe.rssMb();
        MemoryProbe.resetPeak();
        for (int i = 0; i < config.warmup(); i++) {
            iteration.run();
        }
        double[] ms = new double[config.iterations()];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            iteration.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        double peak = MemoryProbe.peakRssMb();
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("ms_median", round(median(sorted)));
        json.put("ms_min", round(sorted[0]));
        json.put("ms_max", round(sorted[sorted.length - 1]));
        json.put("peak_rss_mb", round(peak));
        json.put("rss_before_mb", round(rssBefore));
        json.put("iterations", config.iterations());
        json.put("threads", config.threads());
        json.putAll(extra);
        return json;
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
