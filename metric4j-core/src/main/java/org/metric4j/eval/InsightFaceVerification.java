package org.metric4j.eval;

import java.util.Arrays;

/**
 * InsightFace's verification protocol on the {@code .bin} sets (LFW, CFP-FP, AgeDB-30), exactly as
 * {@code recognition/arcface_torch/eval/verification.py} {@code evaluate(embeddings, issame,
 * nrof_folds=10)} computes it (pca = 0). Rows {@code 2k} and {@code 2k + 1} form pair {@code k};
 * each row is L2-normalized in float64 (sklearn's {@code normalize}, which {@code
 * verification.test} applies to the flip-sum); the pair's distance is
 * \( d = \lVert e_{2k} - e_{2k+1} \rVert_2^2 \), and a pair is predicted "same" iff \( d &lt; t \).
 *
 * <ul>
 *   <li>Folds: scikit-learn's {@code KFold(nrof_folds, shuffle=False)}: contiguous test folds, the
 *       first {@code n % folds} one pair larger.</li>
 *   <li>Accuracy ({@code calculate_roc}): thresholds {@code np.arange(0, 4, 0.01)} (\( t_i = 0.01 i
 *       \)); per fold the first threshold of best train accuracy, its accuracy on the test fold;
 *       {@code tpr}, {@code fpr}: the test-fold rates at every threshold averaged over the folds
 *       (0 where a fold has no positives / negatives).</li>
 *   <li>VAL at FAR 1e-3 ({@code calculate_val}): thresholds {@code np.arange(0, 4, 0.001)}; per fold
 *       the threshold is {@code interp1d(far_train, thresholds, kind='slinear')(1e-3)} as scipy 1.8.1
 *       evaluates it (newer scipy refuses the repeated x values, insightface #2152): with \( i \)
 *       the last index such that \( x_i \le 10^{-3} \) and \( w = 1 / (x_{i+1} - x_i) \),
 *       \( t = c_i (w (x_{i+1} - 10^{-3})) + c_{i+1} (w (10^{-3} - x_i)) \); when
 *       \( \max x &lt; 10^{-3} \) the threshold is 0. {@code val}, {@code far}: the test-fold TAR
 *       and FAR at it, averaged; {@code val_std} the population standard deviation.</li>
 * </ul>
 * Means and standard deviations are NumPy's ({@code np.mean}, {@code np.std}, pairwise summation),
 * so the numbers are InsightFace's to the last bit. This protocol differs from {@link
 * VerificationProtocol} (fixed threshold grids, distances, strict comparison), so it has its own
 * class.
 */
public final class InsightFaceVerification {

    /** Default number of folds ({@code nrof_folds}). */
    public static final int DEFAULT_FOLDS = 10;
    /** The FAR at which VAL is computed ({@code far_target}). */
    public static final double FAR_TARGET = 1e-3;
    /** Step of the accuracy thresholds. */
    public static final double ROC_STEP = 0.01;
    /** Step of the VAL thresholds. */
    public static final double VAL_STEP = 0.001;
    /** The end (exclusive) of both threshold grids. */
    public static final double MAX_THRESHOLD = 4;

    private final int folds;

    private InsightFaceVerification(Builder b) {
        this.folds = b.folds;
    }

    /** A builder: {@value #DEFAULT_FOLDS} folds. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * What {@code evaluate} returns, and what {@code verification.test} derives from it.
     *
     * @param testFolds {@code [start, end)} of each test fold, over pair indices
     * @param thresholds the accuracy thresholds (400)
     * @param tpr mean test-fold TPR at each threshold
     * @param fpr mean test-fold FPR at each threshold
     * @param accuracy test accuracy of each fold
     * @param accuracyMean {@code np.mean(accuracy)}
     * @param accuracyStd {@code np.std(accuracy)}
     * @param bestThresholds the threshold chosen on each fold's train pairs
     * @param val mean test-fold TAR at each fold's FAR-1e-3 threshold
     * @param valStd {@code np.std} of those TARs
     * @param far mean test-fold FAR at those thresholds
     * @param valThresholds each fold's FAR-1e-3 threshold
     */
    public record Report(int[][] testFolds, double[] thresholds, double[] tpr, double[] fpr, double[] accuracy,
            double accuracyMean, double accuracyStd, double[] bestThresholds, double val, double valStd, double far,
            double[] valThresholds) {}

    /**
     * Runs the protocol on embeddings (normalized here, in float64).
     *
     * @param embeddings 2P rows of D values, row-major; rows 2k and 2k + 1 form pair k
     * @param dim D
     * @param issame P booleans
     * @return the report
     */
    public Report evaluate(double[] embeddings, int dim, boolean[] issame) {
        if (dim < 1 || embeddings.length % dim != 0) {
            throw new IllegalArgumentException("embeddings must hold rows x dim values with dim >= 1, got "
                    + embeddings.length + " values and dim " + dim);
        }
        int rows = embeddings.length / dim;
        if (rows != 2 * issame.length) {
            throw new IllegalArgumentException("embeddings must have 2 rows per pair (" + 2 * issame.length
                    + " for " + issame.length + " pairs), got " + rows);
        }
        double[] unit = normalizeRows(embeddings, dim);
        double[] dist = new double[issame.length];
        for (int k = 0; k < dist.length; k++) {
            double s = 0;
            for (int j = 0; j < dim; j++) {
                double d = unit[2 * k * dim + j] - unit[(2 * k + 1) * dim + j];
                s += d * d;
            }
            dist[k] = s;
        }
        return evaluateDistances(dist, issame);
    }

    /** Runs the protocol on an embedding set (rows 2k and 2k + 1 form pair k). */
    public Report evaluate(EmbeddingSet embeddings, boolean[] issame) {
        return evaluate(embeddings.values(), embeddings.dim(), issame);
    }

    /**
     * Runs the protocol on the squared distances of the pairs.
     *
     * @param dist squared L2 distance of each pair's normalized embeddings
     * @param issame whether each pair is genuine
     * @return the report
     */
    public Report evaluateDistances(double[] dist, boolean[] issame) {
        int n = dist.length;
        if (n != issame.length) {
            throw new IllegalArgumentException("dist and issame must have equal length, got " + n + " and "
                    + issame.length);
        }
        if (n < folds) {
            throw new IllegalArgumentException("KFold(" + folds + ") needs at least " + folds + " pairs, got " + n);
        }
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(dist[i])) {
                throw new IllegalArgumentException("dist contains NaN at pair " + i);
            }
        }
        int[][] ranges = kFold(n, folds);
        double[] roc = grid(ROC_STEP);
        double[] valGrid = grid(VAL_STEP);
        double[][] tprs = new double[folds][];
        double[][] fprs = new double[folds][];
        double[] accuracy = new double[folds];
        double[] best = new double[folds];
        double[] val = new double[folds];
        double[] far = new double[folds];
        double[] valThresholds = new double[folds];
        for (int f = 0; f < folds; f++) {
            int lo = ranges[f][0];
            int hi = ranges[f][1];
            int bestIndex = 0;
            double bestAcc = Double.NEGATIVE_INFINITY;
            tprs[f] = new double[roc.length];
            fprs[f] = new double[roc.length];
            for (int t = 0; t < roc.length; t++) {
                double acc = counts(dist, issame, lo, hi, false, roc[t]).accuracy();
                if (acc > bestAcc) {
                    bestAcc = acc;
                    bestIndex = t;
                }
                Counts test = counts(dist, issame, lo, hi, true, roc[t]);
                tprs[f][t] = test.tpr();
                fprs[f][t] = test.fpr();
            }
            best[f] = roc[bestIndex];
            accuracy[f] = counts(dist, issame, lo, hi, true, best[f]).accuracy();

            double[] farTrain = new double[valGrid.length];
            double maxFar = Double.NEGATIVE_INFINITY;
            for (int t = 0; t < valGrid.length; t++) {
                farTrain[t] = counts(dist, issame, lo, hi, false, valGrid[t]).far("train pairs of fold " + f);
                maxFar = Math.max(maxFar, farTrain[t]);
            }
            valThresholds[f] = maxFar >= FAR_TARGET ? slinear(farTrain, valGrid, FAR_TARGET) : 0.0;
            Counts test = counts(dist, issame, lo, hi, true, valThresholds[f]);
            String where = "test fold " + f + " [" + lo + ", " + hi + ")";
            val[f] = test.val(where);
            far[f] = test.far(where);
        }
        double[] tpr = new double[roc.length];
        double[] fpr = new double[roc.length];
        for (int t = 0; t < roc.length; t++) {
            double st = 0;
            double sf = 0;
            for (int f = 0; f < folds; f++) { // np.mean(axis=0): rows added in order
                st += tprs[f][t];
                sf += fprs[f][t];
            }
            tpr[t] = st / folds;
            fpr[t] = sf / folds;
        }
        return new Report(ranges, roc, tpr, fpr, accuracy, mean(accuracy), std(accuracy), best, mean(val), std(val),
                mean(far), valThresholds);
    }

    /**
     * XNorm as {@code verification.test} reports it: the mean L2 norm of the raw embeddings (before
     * any normalization), over every row given (InsightFace: the plain and the flipped images).
     */
    public static double xnorm(double[] embeddings, int dim) {
        int rows = embeddings.length / dim;
        if (rows == 0) {
            throw new IllegalArgumentException("xnorm needs at least one row");
        }
        double sum = 0;
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int j = 0; j < dim; j++) {
                s += embeddings[i * dim + j] * embeddings[i * dim + j];
            }
            sum += Math.sqrt(s);
        }
        return sum / rows;
    }

    /** Rows divided by their L2 norm; a zero row stays zero (sklearn's {@code normalize}). */
    public static double[] normalizeRows(double[] values, int dim) {
        double[] out = values.clone();
        for (int i = 0; i < values.length / dim; i++) {
            double s = 0;
            for (int j = 0; j < dim; j++) {
                s += values[i * dim + j] * values[i * dim + j];
            }
            double norm = Math.sqrt(s);
            if (norm == 0) {
                continue;
            }
            for (int j = 0; j < dim; j++) {
                out[i * dim + j] = values[i * dim + j] / norm;
            }
        }
        return out;
    }

    /** scikit-learn's {@code KFold(folds, shuffle=False)} test ranges {@code [start, end)} over n items. */
    static int[][] kFold(int n, int folds) {
        int[][] out = new int[folds][];
        int start = 0;
        for (int f = 0; f < folds; f++) {
            int size = n / folds + (f < n % folds ? 1 : 0);
            out[f] = new int[] {start, start + size};
            start += size;
        }
        return out;
    }

    /** {@code np.arange(0, MAX_THRESHOLD, step)}: {@code i * step}. */
    private static double[] grid(double step) {
        int len = (int) Math.ceil(MAX_THRESHOLD / step);
        double[] g = new double[len];
        for (int i = 0; i < len; i++) {
            g[i] = i * step;
        }
        return g;
    }

    /**
     * scipy 1.8.1's {@code interp1d(x, c, kind='slinear')(target)} for x non-decreasing (far_train
     * is, so the stable sort is the identity): the degree-1 B-spline with knots {@code [x0, x, x_last]}
     * evaluated in the interval {@code x_i <= target < x_(i+1)}, the last interval at the right end.
     */
    static double slinear(double[] x, double[] c, double target) {
        if (target < x[0] || target > x[x.length - 1]) {
            throw new IllegalArgumentException("interp1d: " + target + " is outside [" + x[0] + ", "
                    + x[x.length - 1] + "]");
        }
        int i = 0;
        while (i + 1 < x.length && x[i + 1] <= target) {
            i++;
        }
        if (i == x.length - 1) { // target == x_last: scipy's last interval, [x_(n-2), x_(n-1)]
            i = x.length - 2;
        }
        double w = 1 / (x[i + 1] - x[i]);
        return c[i] * (w * (x[i + 1] - target)) + c[i + 1] * (w * (target - x[i]));
    }

    /** Confusion counts of the test fold [lo, hi) or of the other pairs, predicting "same" iff dist < t. */
    private static Counts counts(double[] dist, boolean[] issame, int lo, int hi, boolean test, double t) {
        long tp = 0;
        long fp = 0;
        long tn = 0;
        long fn = 0;
        for (int i = 0; i < dist.length; i++) {
            if ((i >= lo && i < hi) != test) {
                continue;
            }
            boolean predict = dist[i] < t;
            if (predict) {
                if (issame[i]) {
                    tp++;
                } else {
                    fp++;
                }
            } else if (issame[i]) {
                fn++;
            } else {
                tn++;
            }
        }
        return new Counts(tp, fp, tn, fn);
    }

    private record Counts(long tp, long fp, long tn, long fn) {
        /** {@code calculate_accuracy}'s accuracy. */
        double accuracy() {
            return (double) (tp + tn) / (tp + fp + tn + fn);
        }

        /** {@code calculate_accuracy}'s tpr (0 without positives). */
        double tpr() {
            return tp + fn == 0 ? 0 : (double) tp / (tp + fn);
        }

        /** {@code calculate_accuracy}'s fpr (0 without negatives). */
        double fpr() {
            return fp + tn == 0 ? 0 : (double) fp / (fp + tn);
        }

        /** {@code calculate_val_far}'s val (Python raises ZeroDivisionError without positives). */
        double val(String where) {
            if (tp + fn == 0) {
                throw new IllegalArgumentException("VAL needs genuine pairs in the " + where + ", got none");
            }
            return (double) tp / (tp + fn);
        }

        /** {@code calculate_val_far}'s far (Python raises ZeroDivisionError without negatives). */
        double far(String where) {
            if (fp + tn == 0) {
                throw new IllegalArgumentException("FAR needs impostor pairs in the " + where + ", got none");
            }
            return (double) fp / (fp + tn);
        }
    }

    /** {@code np.mean}: NumPy's pairwise sum divided by n. */
    static double mean(double[] a) {
        return pairwiseSum(a, 0, a.length) / a.length;
    }

    /** {@code np.std} (ddof 0): sqrt of the mean of squared deviations from {@link #mean}. */
    static double std(double[] a) {
        double m = mean(a);
        double[] sq = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            sq[i] = (a[i] - m) * (a[i] - m);
        }
        return Math.sqrt(pairwiseSum(sq, 0, sq.length) / a.length);
    }

    /** NumPy's {@code pairwise_sum} (numpy/core/src/umath/loops_utils.h): 8 accumulators, blocks of 128. */
    private static double pairwiseSum(double[] a, int from, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        if (n <= 128) {
            double[] r = new double[8];
            for (int k = 0; k < 8; k++) {
                r[k] = a[from + k];
            }
            int i;
            for (i = 8; i < n - (n % 8); i += 8) {
                for (int k = 0; k < 8; k++) {
                    r[k] += a[from + i + k];
                }
            }
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return pairwiseSum(a, from, n2) + pairwiseSum(a, from + n2, n - n2);
    }

    @Override
    public String toString() {
        return "InsightFaceVerification(folds=" + folds + ", far_target=" + FAR_TARGET + ")";
    }

    /** Builder of {@link InsightFaceVerification}. */
    public static final class Builder {
        private int folds = DEFAULT_FOLDS;

        private Builder() {}

        /** The number of folds, {@code >= 2} (default {@value InsightFaceVerification#DEFAULT_FOLDS}). */
        public Builder optFolds(int folds) {
            if (folds < 2) {
                throw new IllegalArgumentException("folds must be >= 2, got " + folds);
            }
            this.folds = folds;
            return this;
        }

        /** The protocol. */
        public InsightFaceVerification build() {
            return new InsightFaceVerification(this);
        }
    }
}
