package org.metric4j.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The ROC curve of verification scores, as scikit-learn's {@code roc_curve} computes it (a point
 * per distinct score, highest first, after a first point (0, 0) at +infinity; collinear
 * intermediate points dropped, {@code drop_intermediate=True}), with the area under it (equal to
 * {@code roc_auc_score}: ties count one half), TAR at a FAR and the equal error rate.
 *
 * <p>Higher scores mean "same": pass similarities, or negated distances.
 */
public final class RocCurve {

    private final double[] fpr;
    private final double[] tpr;
    private final double[] thresholds;
    private final double auc;

    private RocCurve(double[] fpr, double[] tpr, double[] thresholds, double auc) {
        this.fpr = fpr;
        this.tpr = tpr;
        this.thresholds = thresholds;
        this.auc = auc;
    }

    /**
     * The curve of scores with ground truth.
     *
     * @param scores one score per pair (higher: more likely the same)
     * @param same whether each pair is a genuine (same identity) pair
     * @return the curve
     */
    public static RocCurve of(double[] scores, boolean[] same) {
        if (scores.length != same.length) {
            throw new IllegalArgumentException(
                    "scores and same must have equal length, got " + scores.length + " and " + same.length);
        }
        int n = scores.length;
        long positives = 0;
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(scores[i])) {
                throw new IllegalArgumentException("scores contains NaN at index " + i);
            }
            positives += same[i] ? 1 : 0;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException(
                    "same must hold both genuine and impostor pairs, got " + positives + " genuine and "
                            + negatives + " impostor");
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -scores[i]));
        List<double[]> points = new ArrayList<>();
        long tp = 0;
        long fp = 0;
        for (int j = 0; j < n; j++) {
            int i = order[j];
            if (same[i]) {
                tp++;
            } else {
                fp++;
            }
            boolean last = j == n - 1 || scores[order[j + 1]] != scores[i];
            if (last) {
                points.add(new double[] {fp, tp, scores[i]});
            }
        }
        // drop collinear intermediate points as scikit-learn does
        List<double[]> kept = new ArrayList<>();
        for (int k = 0; k < points.size(); k++) {
            if (k == 0 || k == points.size() - 1) {
                kept.add(points.get(k));
                continue;
            }
            double[] a = points.get(k - 1);
            double[] b = points.get(k);
            double[] c = points.get(k + 1);
            boolean straight = c[0] - 2 * b[0] + a[0] == 0 && c[1] - 2 * b[1] + a[1] == 0;
            if (!straight) {
                kept.add(b);
            }
        }
        int m = kept.size() + 1;
        double[] fpr = new double[m];
        double[] tpr = new double[m];
        double[] th = new double[m];
        th[0] = Double.POSITIVE_INFINITY;
        for (int k = 1; k < m; k++) {
            double[] p = kept.get(k - 1);
            fpr[k] = p[0] / negatives;
            tpr[k] = p[1] / positives;
            th[k] = p[2];
        }
        double area = 0;
        for (int k = 1; k < m; k++) {
            area += (fpr[k] - fpr[k - 1]) * (tpr[k] + tpr[k - 1]) / 2;
        }
        return new RocCurve(fpr, tpr, th, area);
    }

    /** False positive rates, ascending. */
    public double[] fpr() {
        return fpr.clone();
    }

    /** True positive rates. */
    public double[] tpr() {
        return tpr.clone();
    }

    /** Thresholds (score >= threshold is "same"), descending, the first +infinity. */
    public double[] thresholds() {
        return thresholds.clone();
    }

    /** The area under the curve. */
    public double auc() {
        return auc;
    }

    /**
     * TAR at FAR: the largest true positive rate among the curve's points whose false positive
     * rate is at most {@code far}.
     */
    public double tarAtFar(double far) {
        if (!(far > 0 && far < 1)) {
            throw new IllegalArgumentException("far must be in (0, 1), got " + far);
        }
        double best = 0;
        for (int k = 0; k < fpr.length; k++) {
            if (fpr[k] <= far) {
                best = Math.max(best, tpr[k]);
            }
        }
        return best;
    }

    /** The equal error rate: (FPR + FNR) / 2 at the point that minimizes |FNR - FPR|. */
    public double equalErrorRate() {
        int best = 0;
        double gap = Double.POSITIVE_INFINITY;
        for (int k = 0; k < fpr.length; k++) {
            double g = Math.abs((1 - tpr[k]) - fpr[k]);
            if (g < gap) {
                gap = g;
                best = k;
            }
        }
        return (fpr[best] + 1 - tpr[best]) / 2;
    }
}
