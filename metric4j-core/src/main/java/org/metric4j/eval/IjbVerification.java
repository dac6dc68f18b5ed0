package org.metric4j.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The IJB-B / IJB-C 1:1 template verification of InsightFace's {@code
 * recognition/arcface_torch/eval_ijbc.py} (its {@code verification} and Step 5): the score of a
 * template pair is the dot product of the two {@link TemplatePooling} features, and TAR at each
 * FAR is read from sklearn's {@code roc_curve} (collinear points dropped, a (0, 0) point first;
 * {@link RocCurve}) by the script's rule: with both arrays flipped, the point whose FPR is nearest
 * to the FAR, ties to the lowest flipped index (the largest TPR). This is not the "largest TPR
 * with FPR at most FAR" of {@link RocCurve#tarAtFar}: a nearest point may lie above the FAR.
 */
public final class IjbVerification {

    /** The script's FARs, {@code x_labels}: 1e-6 .. 1e-1. */
    public static final double[] DEFAULT_FARS = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1};

    private IjbVerification() {}

    /**
     * The verification report.
     *
     * @param scores one score per pair, in the pair file's order
     * @param roc the ROC curve
     * @param fars the FARs
     * @param nearestIndex per FAR, the chosen index into the flipped ROC arrays
     * @param fpr per FAR, the FPR of the chosen point
     * @param tar per FAR, the TPR of the chosen point
     */
    public record Report(double[] scores, RocCurve roc, double[] fars, int[] nearestIndex, double[] fpr,
            double[] tar) {

        /** The area under the ROC curve ({@code auc(fpr, tpr)}). */
        public double auc() {
            return roc.auc();
        }

        /**
         * Each TAR as the script prints it, {@code '%.2f' % (tpr * 100)}: the exact binary value
         * rounded half to even, as C's printf does (65.625 prints 65.62; Java's {@code %.2f} would
         * round it up).
         */
        public List<String> tarPercent() {
            List<String> out = new ArrayList<>();
            for (double t : tar) {
                out.add(percent(t));
            }
            return out;
        }

        /** The script's table row: {@code method-target} then the TAR strings. */
        public List<String> tableRow(String method, String target) {
            List<String> row = new ArrayList<>();
            row.add(method + "-" + target);
            row.addAll(tarPercent());
            return row;
        }
    }

    /** {@code '%.2f' % (rate * 100)} as Python prints it. */
    public static String percent(double rate) {
        return new BigDecimal(rate * 100).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
    }

    /**
     * Pair scores: \( s = t_1 \cdot t_2 \).
     *
     * @param templates the normalized templates
     * @param t1 first template of each pair
     * @param t2 second template of each pair
     * @return one score per pair
     */
    public static double[] scores(TemplatePooling.Templates templates, long[] t1, long[] t2) {
        if (t1.length != t2.length) {
            throw new IllegalArgumentException("t1 and t2 must have one entry per pair, got " + t1.length + " and "
                    + t2.length);
        }
        int d = templates.dim();
        double[] f = templates.features();
        double[] out = new double[t1.length];
        for (int p = 0; p < t1.length; p++) {
            int a = index(templates, t1[p], p);
            int b = index(templates, t2[p], p);
            double s = 0;
            for (int j = 0; j < d; j++) {
                s += f[a * d + j] * f[b * d + j];
            }
            out[p] = s;
        }
        return out;
    }

    private static int index(TemplatePooling.Templates templates, long id, int pair) {
        int i = templates.indexOf(id);
        if (i < 0) {
            throw new IllegalArgumentException("pair " + (pair + 1) + " names template " + id
                    + ", which has no images in the template/media list");
        }
        return i;
    }

    /**
     * ROC, AUC and TAR at each FAR of scored pairs.
     *
     * @param scores one score per pair
     * @param labels 1 for a genuine pair, 0 for an impostor pair
     * @param fars the FARs, each in (0, 1)
     * @return the report
     */
    public static Report evaluate(double[] scores, int[] labels, double[] fars) {
        if (scores.length != labels.length) {
            throw new IllegalArgumentException("scores and labels must have one entry per pair, got " + scores.length
                    + " and " + labels.length);
        }
        boolean[] same = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != 0 && labels[i] != 1) {
                throw new IllegalArgumentException("labels must be 0 or 1, got " + labels[i] + " at pair " + (i + 1));
            }
            same[i] = labels[i] == 1;
        }
        RocCurve roc = RocCurve.of(scores, same);
        double[] f = roc.fpr();
        double[] t = roc.tpr();
        int[] index = new int[fars.length];
        double[] fpr = new double[fars.length];
        double[] tar = new double[fars.length];
        for (int k = 0; k < fars.length; k++) {
            if (!(fars[k] > 0 && fars[k] < 1)) {
                throw new IllegalArgumentException("every FAR must be in (0, 1), got " + fars[k]);
            }
            int flipped = nearestFlippedIndex(f, fars[k]);
            int i = f.length - 1 - flipped;
            index[k] = flipped;
            fpr[k] = f[i];
            tar[k] = t[i];
        }
        return new Report(scores, roc, fars.clone(), index, fpr, tar);
    }

    /**
     * The script's {@code min(zip(abs(fpr - x), range(len(fpr))))[1]} on the flipped FPR array:
     * the nearest FPR, ties to the lowest flipped index.
     *
     * @param fpr the FPRs, ascending (not flipped)
     * @param far the FAR
     * @return the index into the flipped array
     */
    static int nearestFlippedIndex(double[] fpr, double far) {
        int best = -1;
        double gap = Double.POSITIVE_INFINITY;
        for (int j = 0; j < fpr.length; j++) {
            double g = Math.abs(fpr[fpr.length - 1 - j] - far);
            if (g < gap) {
                gap = g;
                best = j;
            }
        }
        return best;
    }
}
