package org.metric4j.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An ordering a paper finds, to be checked against a comparison's results: a run is better than
 * run {@code baseline} on {@code metric} (lower for the metrics of {@link #LOWER_IS_BETTER},
 * higher for every other). The report states each one with its numbers and whether it held, so
 * that a finding that does not reproduce is said, not hidden.
 *
 * <p>The run is one label, or the best of several candidates on a validation metric {@code
 * selectBy} (a hyper-parameter chosen on a validation split, e.g. CosFace's margin): the
 * candidate with the best mean {@code selectBy} is then compared with the baseline on {@code
 * metric}, measured on another split.
 *
 * <p>Text form ({@link #parse}): {@code RUN > BASELINE on METRIC}, or {@code RUNS > BASELINE on
 * METRIC chosen by SELECT}, where a run is its label or its number in the comparison (from 1),
 * and {@code RUNS} a label, a number or a range {@code FIRST-LAST} of numbers.
 *
 * @param candidates the labels of the runs expected to be better (one, or the candidates of a
 *     selection)
 * @param selectBy the metric that chooses among several candidates (null with one)
 * @param metric the metric (a key of the runs' final metrics)
 * @param baseline the label of the run it is compared with
 */
public record Finding(List<String> candidates, String selectBy, String metric, String baseline) {

    /** Metrics where lower is better (and every metric ending in {@code _eer}). */
    public static final Set<String> LOWER_IS_BETTER = Set.of("loss", "seconds", "angle_ratio", "intra_angle_deg",
            "loop_overhead");

    /** Checks the candidates and the selection metric. */
    public Finding {
        candidates = List.copyOf(candidates);
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("a finding needs at least one run");
        }
        if (candidates.size() > 1 && selectBy == null) {
            throw new IllegalArgumentException("a finding among " + candidates.size() + " runs needs a metric to choose by");
        }
    }

    /**
     * One run against the baseline.
     *
     * @param run the label of the run expected to be better
     * @param metric the metric
     * @param baseline the label of the run it is compared with
     */
    public Finding(String run, String metric, String baseline) {
        this(List.of(run), null, metric, baseline);
    }

    /** Whether lower values of the metric are better. */
    public static boolean lowerIsBetter(String metric) {
        return LOWER_IS_BETTER.contains(metric) || metric.endsWith("_eer");
    }

    /**
     * Reads the text form.
     *
     * @param text e.g. {@code "2 > 1 on verification_auc"} or {@code "2-10 > 1 on
     *     verification_tar_at_far_1e-3 chosen by val_tar_at_far_1e-3"}
     * @param labels the comparison's run labels, in order
     * @return the finding
     * @throws IllegalArgumentException naming the text and what was expected
     */
    public static Finding parse(String text, List<String> labels) {
        String expected = "expected 'RUN > BASELINE on METRIC [chosen by METRIC]' (a run: its label, its number "
                + "1.." + labels.size() + ", or a range FIRST-LAST before '>')";
        int gt = text.indexOf(" > ");
        int on = text.lastIndexOf(" on ");
        if (gt < 0 || on < gt) {
            throw new IllegalArgumentException("finding '" + text + "': " + expected);
        }
        String metricPart = text.substring(on + 4);
        String selectBy = null;
        int chosen = metricPart.indexOf(" chosen by");
        if (chosen >= 0) {
            selectBy = metricPart.substring(chosen + " chosen by".length()).trim();
            metricPart = metricPart.substring(0, chosen);
        }
        metricPart = metricPart.trim();
        if (metricPart.isEmpty() || (selectBy != null && selectBy.isEmpty())) {
            throw new IllegalArgumentException("finding '" + text + "': " + expected);
        }
        List<String> runs = runs(text.substring(0, gt).trim(), labels, text, expected);
        List<String> base = runs(text.substring(gt + 3, on).trim(), labels, text, expected);
        if (base.size() != 1) {
            throw new IllegalArgumentException("finding '" + text + "': the baseline must be one run, " + expected);
        }
        if (runs.size() > 1 && selectBy == null) {
            throw new IllegalArgumentException("finding '" + text + "': " + runs.size()
                    + " runs before '>' need 'chosen by METRIC'");
        }
        return new Finding(runs, selectBy, metricPart, base.get(0));
    }

    private static List<String> runs(String part, List<String> labels, String text, String expected) {
        if (labels.contains(part)) {
            return List.of(part);
        }
        int dash = part.indexOf('-', 1);
        try {
            int first = Integer.parseInt(dash < 0 ? part : part.substring(0, dash).trim());
            int last = dash < 0 ? first : Integer.parseInt(part.substring(dash + 1).trim());
            if (first < 1 || last > labels.size() || first > last) {
                throw new IllegalArgumentException("finding '" + text + "': runs " + part + " are not in 1.."
                        + labels.size());
            }
            return new ArrayList<>(labels.subList(first - 1, last));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("finding '" + text + "': '" + part + "' is not a run; " + expected, e);
        }
    }

    /**
     * The verdict on results.
     *
     * @param holds whether the run is better (false also when a value is missing)
     * @param run the label of the run compared (the chosen one among several candidates)
     * @param sentence the finding with its numbers, e.g. "arcface (3-D) has a lower angle_ratio
     *     than softmax (3-D): 0.21 +- 0.02 against 0.42 +- 0.03 (holds)"
     */
    public record Verdict(boolean holds, String run, String sentence) {}

    /**
     * The candidate with the best mean {@code selectBy} (the first on ties or when no candidate
     * has a value); the only candidate when there is one.
     *
     * @param means each run's mean final metrics, by label
     * @return its label
     */
    public String chosen(Map<String, Map<String, Double>> means) {
        String best = candidates.get(0);
        if (candidates.size() == 1) {
            return best;
        }
        Double bestValue = null;
        for (String c : candidates) {
            Double v = value(means, c, selectBy);
            if (v != null && Double.isFinite(v) && (bestValue == null
                    || (lowerIsBetter(selectBy) ? v < bestValue : v > bestValue))) {
                best = c;
                bestValue = v;
            }
        }
        return best;
    }

    /**
     * Checks the finding.
     *
     * @param means each run's mean final metrics, by label
     * @param stds each run's standard deviation over seeds (NaN or absent with one seed), by label
     * @return the verdict
     */
    public Verdict check(Map<String, Map<String, Double>> means, Map<String, Map<String, Double>> stds) {
        String run = chosen(means);
        String who = candidates.size() == 1 ? run : String.format(Locale.ROOT, "%s (chosen among %d runs on %s: %s)",
                run, candidates.size(), selectBy, format(value(means, run, selectBy), value(stds, run, selectBy)));
        Double a = value(means, run, metric);
        Double b = value(means, baseline, metric);
        String relation = lowerIsBetter(metric) ? "a lower" : "a higher";
        if (a == null || b == null || !Double.isFinite(a) || !Double.isFinite(b)) {
            return new Verdict(false, run, String.format(Locale.ROOT, "%s was expected to have %s %s than %s, but %s "
                    + "has no value for it (not checked)", who, relation, metric, baseline,
                    a == null || !Double.isFinite(a) ? run : baseline));
        }
        boolean holds = lowerIsBetter(metric) ? a < b : a > b;
        return new Verdict(holds, run, String.format(Locale.ROOT, "%s %s %s %s than %s: %s against %s (%s)", who,
                holds ? "has" : "does not have", relation, metric, baseline, format(a, value(stds, run, metric)),
                format(b, value(stds, baseline, metric)), holds ? "holds" : "does not hold"));
    }

    private static Double value(Map<String, Map<String, Double>> byRun, String label, String metric) {
        Map<String, Double> m = byRun.get(label);
        return m == null ? null : m.get(metric);
    }

    /** {@code mean} or {@code mean +- std} (4 significant digits, std 2); "n/a" when absent. */
    static String format(Double mean, Double std) {
        if (mean == null) {
            return "n/a";
        }
        return std == null || !Double.isFinite(std) ? String.format(Locale.ROOT, "%.4g", mean)
                : String.format(Locale.ROOT, "%.4g \u00b1 %.2g", mean, std);
    }
}
