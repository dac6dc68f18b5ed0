package org.metric4j.eval;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The LFW-style verification protocol: pairs split into 10 consecutive folds of equal size; for
 * each fold the threshold is chosen on the other nine among the midpoints of consecutive
 * distinct scores (plus min - 1 and max + 1), maximizing accuracy with ties to the smallest, and
 * a pair is predicted "same" iff its score is above the threshold. Reported: the mean and the
 * population standard deviation of the fold accuracies, the per-fold thresholds, and, on all
 * pairs, the ROC ({@link RocCurve}), AUC, EER and TAR at FAR 1e-4, 1e-3, 1e-2, 1e-1.
 *
 * <p>Scores are similarities (higher is "same"); for distances pass {@link #fromDistances}.
 */
public final class VerificationProtocol {

    /** Default number of folds. */
    public static final int DEFAULT_FOLDS = 10;
    /** The FARs at which TAR is reported by default. */
    public static final double[] DEFAULT_FARS = {1e-4, 1e-3, 1e-2, 1e-1};

    private final int folds;
    private final double[] fars;

    private VerificationProtocol(Builder b) {
        this.folds = b.folds;
        this.fars = b.fars.clone();
    }

    /** A builder: {@value #DEFAULT_FOLDS} folds and the default FARs. */
    public static Builder builder() {
        return new Builder();
    }

    /** Scores of distances (smaller is "same") turned into similarities by negation. */
    public static double[] fromDistances(double[] distances) {
        double[] out = new double[distances.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = -distances[i];
        }
        return out;
    }

    /**
     * The report.
     *
     * @param accuracyMean mean fold accuracy
     * @param accuracyStd population standard deviation of the fold accuracies
     * @param foldAccuracies accuracy of each fold
     * @param foldThresholds the threshold chosen for each fold
     * @param roc the ROC curve of all pairs
     * @param auc area under the ROC curve
     * @param eer equal error rate
     * @param tarAtFar TAR at each requested FAR
     */
    public record Report(double accuracyMean, double accuracyStd, double[] foldAccuracies,
            double[] foldThresholds, RocCurve roc, double auc, double eer, Map<Double, Double> tarAtFar) {}

    /**
     * Runs the protocol.
     *
     * @param scores similarity of each pair
     * @param same whether each pair is genuine
     * @return the report
     */
    public Report evaluate(double[] scores, boolean[] same) {
        int n = scores.length;
        if (n != same.length) {
            throw new IllegalArgumentException(
                    "scores and same must have equal length, got " + n + " and " + same.length);
        }
        if (n < folds || n % folds != 0) {
            throw new IllegalArgumentException(
                    "the number of pairs must be a positive multiple of folds (" + folds + "), got " + n);
        }
        int[] foldOf = new int[n];
        for (int i = 0; i < n; i++) {
            foldOf[i] = i / (n / folds);
        }
        return evaluate(scores, same, foldOf);
    }

    /**
     * Runs the protocol with given folds (as a pairs file defines them; folds may differ in size
     * when pairs were skipped).
     *
     * @param scores similarity of each pair
     * @param same whether each pair is genuine
     * @param foldOf the fold of each pair, in [0, folds)
     * @return the report
     */
    public Report evaluate(double[] scores, boolean[] same, int[] foldOf) {
        int n = scores.length;
        if (n != same.length || n != foldOf.length) {
            throw new IllegalArgumentException("scores, same and foldOf must have equal length, got "
                    + n + ", " + same.length + " and " + foldOf.length);
        }
        int[] sizes = new int[folds];
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(scores[i])) {
                throw new IllegalArgumentException("scores must be finite, got " + scores[i] + " at index " + i);
            }
            if (foldOf[i] < 0 || foldOf[i] >= folds) {
                throw new IllegalArgumentException(
                        "foldOf must be in [0, " + folds + "), got " + foldOf[i] + " at index " + i);
            }
            sizes[foldOf[i]]++;
        }
        double[] acc = new double[folds];
        double[] thresholds = new double[folds];
        for (int f = 0; f < folds; f++) {
            if (sizes[f] == 0 || sizes[f] == n) {
                throw new IllegalArgumentException("fold " + f + " has " + sizes[f] + " of " + n
                        + " pairs; every fold needs pairs and so does the rest");
            }
            double[] trainScores = new double[n - sizes[f]];
            boolean[] trainSame = new boolean[n - sizes[f]];
            int j = 0;
            int correct = 0;
            for (int i = 0; i < n; i++) {
                if (foldOf[i] != f) {
                    trainScores[j] = scores[i];
                    trainSame[j++] = same[i];
                }
            }
            thresholds[f] = bestThreshold(trainScores, trainSame);
            for (int i = 0; i < n; i++) {
                if (foldOf[i] == f) {
                    correct += (scores[i] > thresholds[f]) == same[i] ? 1 : 0;
                }
            }
            acc[f] = correct / (double) sizes[f];
        }
        double mean = Arrays.stream(acc).average().orElse(0);
        double var = 0;
        for (double a : acc) {
            var += (a - mean) * (a - mean);
        }
        RocCurve roc = RocCurve.of(scores, same);
        Map<Double, Double> tar = new LinkedHashMap<>();
        for (double far : fars) {
            tar.put(far, roc.tarAtFar(far));
        }
        return new Report(mean, Math.sqrt(var / folds), acc, thresholds, roc, roc.auc(),
                roc.equalErrorRate(), tar);
    }

    /** The threshold that maximizes accuracy on these pairs (ties to the smallest). */
    static double bestThreshold(double[] scores, boolean[] same) {
        TreeSet<Double> distinct = new TreeSet<>();
        for (double s : scores) {
            distinct.add(s);
        }
        double[] sorted = distinct.stream().mapToDouble(Double::doubleValue).toArray();
        double[] candidates = new double[sorted.length + 1];
        candidates[0] = sorted[0] - 1;
        for (int k = 0; k + 1 < sorted.length; k++) {
            candidates[k + 1] = (sorted[k] + sorted[k + 1]) / 2;
        }
        candidates[sorted.length] = sorted[sorted.length - 1] + 1;
        // accuracy at each candidate by one sweep over the scores in ascending order
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        long positives = 0;
        for (boolean s : same) {
            positives += s ? 1 : 0;
        }
        // at threshold t: correct = (#same with score > t) + (#different with score <= t)
        long correct = positives; // below the smallest score: everything predicted "same"
        double best = candidates[0];
        long bestCorrect = correct;
        int p = 0;
        for (int k = 1; k < candidates.length; k++) {
            double t = candidates[k];
            while (p < order.length && scores[order[p]] <= t) {
                correct += same[order[p]] ? -1 : 1;
                p++;
            }
            if (correct > bestCorrect) {
                bestCorrect = correct;
                best = t;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return "VerificationProtocol(folds=" + folds + ", fars=" + Arrays.toString(fars) + ")";
    }

    /** Builder of {@link VerificationProtocol}. */
    public static final class Builder {
        private int folds = DEFAULT_FOLDS;
        private double[] fars = DEFAULT_FARS;

        private Builder() {}

        /** The number of folds, {@code >= 2} (default {@value #DEFAULT_FOLDS}; a pairs file gives its own). */
        public Builder optFolds(int folds) {
            if (folds < 2) {
                throw new IllegalArgumentException("folds must be >= 2, got " + folds);
            }
            this.folds = folds;
            return this;
        }

        /** The FARs at which TAR is reported, each in (0, 1) (default {@link #DEFAULT_FARS}). */
        public Builder optFars(double... fars) {
            for (double f : fars) {
                if (!(f > 0 && f < 1)) {
                    throw new IllegalArgumentException("every FAR must be in (0, 1), got " + f);
                }
            }
            this.fars = fars.clone();
            return this;
        }

        /** The protocol. */
        public VerificationProtocol build() {
            return new VerificationProtocol(this);
        }
    }
}
