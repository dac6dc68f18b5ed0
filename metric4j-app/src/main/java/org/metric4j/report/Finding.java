package org.metric4j.report;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An ordering a paper finds, to be checked against a comparison's results: run {@code run} is
 * better than run {@code baseline} on {@code metric} (lower for the metrics of {@link
 * #LOWER_IS_BETTER}, higher for every other). The report states each one with its numbers and
 * whether it held, so that a finding that does not reproduce is said, not hidden.
 *
 * @param run the label of the run expected to be better
 * @param metric the metric (a key of the runs' final metrics)
 * @param baseline the label of the run it is compared with
 */
public record Finding(String run, String metric, String baseline) {

    /** Metrics where lower is better. */
    public static final Set<String> LOWER_IS_BETTER = Set.of("loss", "seconds", "verification_eer", "openset_eer",
            "angle_ratio", "intra_angle_deg", "loop_overhead");

    /** Whether lower values of the metric are better. */
    public static boolean lowerIsBetter(String metric) {
        return LOWER_IS_BETTER.contains(metric) || metric.endsWith("_eer");
    }

    /**
     * The verdict on results.
     *
     * @param holds whether the run is better (false also when a value is missing)
     * @param sentence the finding with its numbers, e.g. "arcface (3-D) has a lower angle_ratio
     *     than softmax (3-D): 0.21 +- 0.02 against 0.42 +- 0.03 (holds)"
     */
    public record Verdict(boolean holds, String sentence) {}

    /**
     * Checks the finding.
     *
     * @param means each run's mean final metrics, by label
     * @param stds each run's standard deviation over seeds (NaN or absent with one seed), by label
     * @return the verdict
     */
    public Verdict check(Map<String, Map<String, Double>> means, Map<String, Map<String, Double>> stds) {
        Double a = value(means, run);
        Double b = value(means, baseline);
        String relation = lowerIsBetter(metric) ? "a lower" : "a higher";
        if (a == null || b == null || !Double.isFinite(a) || !Double.isFinite(b)) {
            return new Verdict(false, String.format(Locale.ROOT, "%s was expected to have %s %s than %s, but %s has "
                    + "no value for it (not checked)", run, relation, metric, baseline, a == null || !Double.isFinite(a)
                    ? run : baseline));
        }
        boolean holds = lowerIsBetter(metric) ? a < b : a > b;
        return new Verdict(holds, String.format(Locale.ROOT, "%s %s %s %s than %s: %s against %s (%s)", run,
                holds ? "has" : "does not have", relation, metric, baseline, format(a, value(stds, run)),
                format(b, value(stds, baseline)), holds ? "holds" : "does not hold"));
    }

    private Double value(Map<String, Map<String, Double>> byRun, String label) {
        Map<String, Double> m = byRun.get(label);
        return m == null ? null : m.get(metric);
    }

    /** {@code mean} or {@code mean +- std} (4 significant digits, std 2). */
    static String format(double mean, Double std) {
        return std == null || !Double.isFinite(std) ? String.format(Locale.ROOT, "%.4g", mean)
                : String.format(Locale.ROOT, "%.4g \u00b1 %.2g", mean, std);
    }
}
