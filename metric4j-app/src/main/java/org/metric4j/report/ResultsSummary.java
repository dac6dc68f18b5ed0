package org.metric4j.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The opening paragraphs of a comparison report, generated from its results, never written by
 * hand: the findings it was asked to check, each with its numbers and whether it held, then who
 * won on each headline metric and by how much, per backbone.
 */
final class ResultsSummary {

    /** The headline metrics, in the order they are read out. */
    static final List<String> HEADLINE = List.of("openset_tar_at_far_1e-2", "openset_auc", "verification_tar_at_far_1e-3",
            "verification_accuracy", "verification_auc", "ncc_accuracy", "map_at_r", "angle_ratio", "intra_angle_deg");

    private ResultsSummary() {}

    /**
     * The paragraphs.
     *
     * @param entries the configurations, in report order
     * @param means mean final metrics by label
     * @param stds their standard deviations by label (NaN with one seed)
     * @param findings the orderings to check
     * @return one paragraph for the findings (when there are any), one per backbone for the winners
     */
    static List<String> paragraphs(List<Comparison.Entry> entries, Map<String, Map<String, Double>> means,
            Map<String, Map<String, Double>> stds, List<Finding> findings) {
        List<String> out = new ArrayList<>();
        if (!findings.isEmpty()) {
            int held = 0;
            StringBuilder sb = new StringBuilder();
            for (Finding f : findings) {
                Finding.Verdict v = f.check(means, stds);
                held += v.holds() ? 1 : 0;
                sb.append(sb.length() == 0 ? " " : "; ").append(v.sentence());
            }
            out.add(String.format(Locale.ROOT, "Findings: %d of %d hold%s", held, findings.size(),
                    held == findings.size() ? "" : " (those that do not are marked 'does not hold')") + ":" + sb + ".");
        }
        Map<String, List<String>> byBackbone = new LinkedHashMap<>();
        for (Comparison.Entry e : entries) {
            byBackbone.computeIfAbsent(e.backbone(), k -> new ArrayList<>()).add(e.label());
        }
        for (Map.Entry<String, List<String>> g : byBackbone.entrySet()) {
            List<String> labels = g.getValue();
            if (labels.size() < 2) {
                continue;
            }
            List<String> parts = new ArrayList<>();
            for (String metric : HEADLINE) {
                String best = null;
                String second = null;
                for (String l : labels) {
                    Double v = means.get(l).get(metric);
                    if (v == null || !Double.isFinite(v)) {
                        continue;
                    }
                    if (best == null || better(metric, v, means.get(best).get(metric))) {
                        second = best;
                        best = l;
                    } else if (second == null || better(metric, v, means.get(second).get(metric))) {
                        second = l;
                    }
                }
                if (best != null && second != null) {
                    double a = means.get(best).get(metric);
                    double b = means.get(second).get(metric);
                    parts.add(String.format(Locale.ROOT, "%s: %s with %s, %.3g %s than %s (%s)", metric, best,
                            Finding.format(a, stds.get(best).get(metric)), Math.abs(a - b),
                            Finding.lowerIsBetter(metric) ? "lower" : "higher", second,
                            Finding.format(b, stds.get(second).get(metric))));
                }
            }
            if (!parts.isEmpty()) {
                out.add((byBackbone.size() > 1 ? "Best on " + g.getKey() + ": " : "Best: ") + String.join("; ", parts)
                        + ".");
            }
        }
        return out;
    }

    private static boolean better(String metric, double v, double than) {
        return Finding.lowerIsBetter(metric) ? v < than : v > than;
    }
}
