package org.metric4j.eval;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The IJB-B / IJB-C 1:N template identification of InsightFace's {@code
 * recognition/_evaluation_/ijb/ijb_1n.py} (its {@code evaluation} and {@code gen_mask}): probe
 * templates ({@code *_1N_probe_mixed.csv}) against the gallery G1 + G2 (S1 + S2 for IJB-B),
 * similarity \( s_{pg} = p \cdot g \) of normalized templates.
 *
 * <ul>
 *   <li>Every probe's subject must have exactly one gallery template (its mate), as {@code
 *       gen_mask} requires; the evaluation is closed-set.
 *   <li>Top-k: the fraction of probes whose mate is among the k most similar gallery templates
 *       (k = 1, 5, 10). Rank = the number of gallery templates strictly more similar than the mate
 *       (a tie counts for the probe; numpy's unstable {@code argsort} leaves ties unspecified).
 *   <li>TPIR at "FAR" f: with P probes, the threshold {@code th} is the {@code ceil(P f)}-th
 *       largest of all P (G - 1) non-mate similarities, and TPIR = #{probes whose mate similarity
 *       exceeds th} / P. As in the script, the count of false alarms is relative to P, not to the
 *       number of non-mate pairs, and the mate need not be ranked first; this is not the
 *       open-set DIR at FPIR of {@link Identification}.
 * </ul>
 */
public final class IjbIdentification {

    /** The script's {@code Fars}. */
    public static final double[] DEFAULT_FARS = {0.01, 0.1};

    private IjbIdentification() {}

    /**
     * The identification report.
     *
     * @param probes the number of probe templates
     * @param gallery the number of gallery templates
     * @param top1 fraction of probes whose mate ranks first
     * @param top5 ... within the first 5
     * @param top10 ... within the first 10
     * @param fars the FARs
     * @param thresholds the threshold of each FAR
     * @param tpir the TPIR at each FAR
     */
    public record Report(int probes, int gallery, double top1, double top5, double top10, double[] fars,
            double[] thresholds, double[] tpir) {}

    /**
     * Evaluates probe templates against gallery templates.
     *
     * @param probes P x dim normalized probe templates, row-major
     * @param probeSubjects P subject ids
     * @param gallery G x dim normalized gallery templates, row-major
     * @param gallerySubjects G subject ids, each at most once
     * @param dim the feature width
     * @param fars the FARs, each in (0, 1]
     * @return the report
     */
    public static Report evaluate(double[] probes, long[] probeSubjects, double[] gallery, long[] gallerySubjects,
            int dim, double[] fars) {
        int p = probeSubjects.length;
        int g = gallerySubjects.length;
        if (probes.length != (long) p * dim || gallery.length != (long) g * dim) {
            throw new IllegalArgumentException("probes must be " + p + " x " + dim + " and gallery " + g + " x " + dim
                    + ", got " + probes.length + " and " + gallery.length + " values");
        }
        if (p == 0) {
            throw new IllegalArgumentException("there must be at least one probe template");
        }
        Map<Long, Integer> mateOf = new HashMap<>();
        Map<Long, Integer> count = new HashMap<>();
        for (int j = 0; j < g; j++) {
            mateOf.put(gallerySubjects[j], j);
            count.merge(gallerySubjects[j], 1, Integer::sum);
        }
        double[] mateScores = new double[p];
        double[] nonMate = new double[p * (g - 1)];
        int hits1 = 0;
        int hits5 = 0;
        int hits10 = 0;
        int k = 0;
        for (int i = 0; i < p; i++) {
            Integer mate = mateOf.get(probeSubjects[i]);
            int c = count.getOrDefault(probeSubjects[i], 0);
            if (c != 1) {
                throw new IllegalArgumentException("probe " + (i + 1) + " (subject " + probeSubjects[i] + ") must have "
                        + "exactly one gallery template of its subject, got " + c);
            }
            double[] s = new double[g];
            for (int j = 0; j < g; j++) {
                double v = 0;
                for (int q = 0; q < dim; q++) {
                    v += probes[i * dim + q] * gallery[j * dim + q];
                }
                s[j] = v;
            }
            double m = s[mate];
            int rank = 0;
            for (int j = 0; j < g; j++) {
                if (j != mate) {
                    rank += s[j] > m ? 1 : 0;
                    nonMate[k++] = s[j];
                }
            }
            mateScores[i] = m;
            hits1 += rank < 1 ? 1 : 0;
            hits5 += rank < 5 ? 1 : 0;
            hits10 += rank < 10 ? 1 : 0;
        }
        Arrays.sort(nonMate);
        double[] th = new double[fars.length];
        double[] tpir = new double[fars.length];
        for (int f = 0; f < fars.length; f++) {
            if (!(fars[f] > 0 && fars[f] <= 1)) {
                throw new IllegalArgumentException("every FAR must be in (0, 1], got " + fars[f]);
            }
            int top = (int) Math.ceil(p * fars[f]);
            if (top > nonMate.length) {
                throw new IllegalArgumentException("FAR " + fars[f] + " needs the " + top + "-th largest non-mate "
                        + "score, but there are only " + nonMate.length);
            }
            th[f] = nonMate[nonMate.length - top];
            int hits = 0;
            for (double m : mateScores) {
                hits += m > th[f] ? 1 : 0;
            }
            tpir[f] = hits / (double) p;
        }
        return new Report(p, g, hits1 / (double) p, hits5 / (double) p, hits10 / (double) p, fars.clone(), th, tpir);
    }
}
