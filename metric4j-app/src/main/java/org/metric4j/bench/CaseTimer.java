package org.metric4j.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.metric4j.engine.BenchConfig;
import org.metric4j.engine.MemoryProbe;
import org.metric4j.engine.NativeAllocator;

/**
 * Times one benchmark case: warm-up iterations, then timed ones, with the process's peak resident
 * memory over the whole case. The result is one JSON object.
 */
public final class CaseTimer {

    /** The native allocator, printed with each case (it changes large tensors' times). */
    private static final String ALLOCATOR = NativeAllocator.name();

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
        Rounds r = Rounds.run(config, null, iteration);
        Map<String, Object> json = summary(name, config, r.ms(), r.peakMb(), r.rssBeforeMb());
        json.putAll(extra);
        return json;
    }

    /**
     * Times {@code iteration} against its {@code baseline} in one loop: each warm-up and timed
     * round runs the baseline, then the case, so that both see the same state of the machine (on
     * a shared VM the speed of the same matrix products drifts by up to 2x within a minute, and a
     * ratio of two medians taken a minute apart carries that drift). The JSON is {@link #time}'s
     * for the case plus {@code baseline_case}, {@code baseline_ms_median}, {@code baseline_ms_min}
     * and {@code paired_ratio}, the case's median over the baseline's from the same rounds.
     *
     * @param name the case name
     * @param config the configuration
     * @param iteration one iteration of the case (must free what it allocates)
     * @param baselineName the baseline's case name
     * @param baseline one iteration of the baseline (must free what it allocates)
     * @param extra fields added to the JSON line
     * @return the JSON fields, name first
     */
    public static Map<String, Object> timePaired(String name, BenchConfig config, Runnable iteration,
            String baselineName, Runnable baseline, Map<String, Object> extra) {
        Rounds r = Rounds.run(config, baseline, iteration);
        Map<String, Object> json = summary(name, config, r.ms(), r.peakMb(), r.rssBeforeMb());
        double[] b = r.baselineMs().clone();
        Arrays.sort(b);
        json.put("baseline_case", baselineName);
        json.put("baseline_ms_median", round(median(b)));
        json.put("baseline_ms_min", round(b[0]));
        json.put("paired_ratio", round((Double) json.get("ms_median") / median(b)));
        json.putAll(extra);
        return json;
    }

    /** The timings of one case's rounds, each round the baseline (if any) then the case. */
    private record Rounds(double[] ms, double[] baselineMs, double peakMb, double rssBeforeMb) {

        static Rounds run(BenchConfig config, Runnable baseline, Runnable iteration) {
            System.gc();
            double rssBefore = MemoryProbe.rssMb();
            MemoryProbe.resetPeak();
            for (int i = 0; i < config.warmup(); i++) {
                if (baseline != null) {
                    baseline.run();
                }
                iteration.run();
            }
            double[] ms = new double[config.iterations()];
            double[] base = new double[config.iterations()];
            for (int i = 0; i < ms.length; i++) {
                long t0 = System.nanoTime();
                if (baseline != null) {
                    baseline.run();
                }
                long t1 = System.nanoTime();
                iteration.run();
                base[i] = (t1 - t0) / 1e6;
                ms[i] = (System.nanoTime() - t1) / 1e6;
            }
            return new Rounds(ms, base, MemoryProbe.peakRssMb(), rssBefore);
        }
    }

    private static Map<String, Object> summary(
            String name, BenchConfig config, double[] ms, double peak, double rssBefore) {
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
        json.put("allocator", ALLOCATOR);
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
