package org.metric4j.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;

/**
 * The outlier step of sub-center ArcFace (Deng et al. 2020, "Sub-center ArcFace: Boosting Face
 * Recognition by Large-scale Noisy Web Faces", ECCV; PML's
 * {@code SubCenterArcFaceLoss.get_outliers}): for each class c, every embedding of c votes for
 * its closest sub-center, the sub-center with most votes is c's dominant center \( W_{c,j^*} \),
 * and an embedding of c is an outlier when its angle to that center exceeds the threshold,
 * \( \hat{x}_i^T \hat{W}_{c,j^*} \lt \cos(\text{threshold}) \). The paper then drops the
 * outliers and retrains with the dominant centers only (one center per class).
 *
 * <p>The weights are those of a {@link CosineClassifier} with k sub-centers: D x (C k), column
 * {@code c*k + j} being sub-center j of class c. Ties (equal cosines, equal votes) go to the
 * lower sub-center index, as torch's argmax. Defaults are PML's: threshold
 * {@value #DEFAULT_THRESHOLD_DEGREES} degrees, embeddings and centers L2-normalized (PML's
 * {@code CosineSimilarity}).
 */
public final class SubCenterOutliers {

    /** Default threshold on the angle to the dominant sub-center, in degrees (PML). */
    public static final double DEFAULT_THRESHOLD_DEGREES = 75;

    /**
     * What {@link #find} returns.
     *
     * @param outliers indices of the outlier embeddings, by class then by index (PML's order)
     * @param dominantSubCenters for each class its dominant sub-center j in [0, k), or -1 when
     *     the class has no embedding
     * @param dominantCenters D x C: column c is the (unnormalized) dominant sub-center of class
     *     c, zeros for a class without embeddings (PML leaves those uninitialized); attached to
     *     the weights' manager
     */
    public record Result(long[] outliers, int[] dominantSubCenters, NDArray dominantCenters) {}

    private final double thresholdDegrees;
    private final boolean normalize;

    private SubCenterOutliers(Builder b) {
        this.thresholdDegrees = b.thresholdDegrees;
        this.normalize = b.normalize;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The threshold in degrees. */
    public double thresholdDegrees() {
        return thresholdDegrees;
    }

    /** The outliers among {@code embeddings} for a trained sub-center head (its current weights). */
    public Result find(CosineClassifier head, NDArray embeddings, NDArray labels) {
        return find(head.weight().getArray(), head.subCenters(), embeddings, labels);
    }

    /**
     * The outliers among {@code embeddings}.
     *
     * @param weights D x (C k) sub-center weights, column {@code c*k + j} sub-center j of class c
     * @param subCenters k, {@code >= 1}
     * @param embeddings B x D
     * @param labels B class ids in [0, C)
     * @return the outlier indices and the dominant centers
     */
    public Result find(NDArray weights, int subCenters, NDArray embeddings, NDArray labels) {
        Inputs.atLeast("subCenters", subCenters, 1);
        long b = Inputs.embeddings("embeddings", embeddings);
        if (weights == null || weights.getShape().dimension() != 2
                || weights.getShape().get(0) != embeddings.getShape().get(1)
                || weights.getShape().get(1) % subCenters != 0) {
            throw new IllegalArgumentException("weights must be D x (C k) with D = "
                    + embeddings.getShape().get(1) + " and k = " + subCenters + ", got "
                    + (weights == null ? "null" : weights.getShape()));
        }
        int k = subCenters;
        int numClasses = (int) (weights.getShape().get(1) / k);
        long[] y;
        double[] cos;
        NDArray centers;
        int[] dominant = new int[numClasses];
        List<Long> outliers = new ArrayList<>();
        try (NDScope scope = new NDScope()) {
            y = Inputs.classLabels("labels", labels, b, numClasses).toLongArray();
            NDArray x = embeddings.stopGradient();
            NDArray wt = weights.stopGradient().transpose(); // (C k) x D, row c*k + j
            if (wt.getDataType() != x.getDataType()) {
                wt = wt.toType(x.getDataType(), false);
            }
            // only each item's own k sub-centers: B x k cosines, not B x (C k)
            int d = (int) x.getShape().get(1);
            long[] own = new long[(int) b * k];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < k; j++) {
                    own[i * k + j] = y[i] * k + j;
                }
            }
            NDArray centersOfItems = NDMath.takeRows(wt, weights.getManager().create(own)).reshape(b, k, d);
            NDArray xs = normalize ? x.normalize(2, 1, 1e-12) : x;
            NDArray cs = normalize ? centersOfItems.normalize(2, 2, 1e-12) : centersOfItems;
            cos = cs.mul(xs.reshape(b, 1, d)).sum(new int[] {2}).toType(DataType.FLOAT64, false).toDoubleArray();
            // the items of each class in index order (a counting sort on the labels)
            int[] first = new int[numClasses + 1];
            for (long label : y) {
                first[(int) label + 1]++;
            }
            for (int c = 0; c < numClasses; c++) {
                first[c + 1] += first[c];
            }
            int[] items = new int[(int) b];
            int[] fill = first.clone();
            for (int i = 0; i < b; i++) {
                items[fill[(int) y[i]]++] = i;
            }
            double cosThreshold = Math.cos(Math.toRadians(thresholdDegrees));
            for (int c = 0; c < numClasses; c++) {
                if (first[c] == first[c + 1]) {
                    dominant[c] = -1;
                    continue;
                }
                int[] votes = new int[k];
                for (int t = first[c]; t < first[c + 1]; t++) {
                    int i = items[t];
                    int best = 0;
                    for (int j = 1; j < k; j++) {
                        if (cos[i * k + j] > cos[i * k + best]) {
                            best = j;
                        }
                    }
                    votes[best]++;
                }
                int top = 0;
                for (int j = 1; j < k; j++) {
                    if (votes[j] > votes[top]) {
                        top = j;
                    }
                }
                dominant[c] = top;
                for (int t = first[c]; t < first[c + 1]; t++) {
                    if (cos[items[t] * k + top] < cosThreshold) {
                        outliers.add((long) items[t]);
                    }
                }
            }
            long[] columns = new long[numClasses];
            boolean[] present = new boolean[numClasses];
            for (int c = 0; c < numClasses; c++) {
                columns[c] = (long) c * k + Math.max(0, dominant[c]);
                present[c] = dominant[c] >= 0;
            }
            NDArray rows = NDMath.takeRows(weights.stopGradient().transpose(),
                    weights.getManager().create(columns));
            // where() does not broadcast: the C x 1 mask is expanded to C x D first
            NDArray mask = weights.getManager().create(present).reshape(-1, 1).broadcast(rows.getShape());
            centers = NDArrays.where(mask, rows, rows.zerosLike()).transpose();
            NDScope.unregister(centers);
        }
        return new Result(outliers.stream().mapToLong(Long::longValue).toArray(), dominant, centers);
    }

    @Override
    public String toString() {
        return "SubCenterOutliers(thresholdDegrees=" + thresholdDegrees + ", normalize=" + normalize + ")";
    }

    /** Builder of {@link SubCenterOutliers}. */
    public static final class Builder {
        private double thresholdDegrees = DEFAULT_THRESHOLD_DEGREES;
        private boolean normalize = true;

        private Builder() {}

        /** The threshold on the angle, in degrees, in [0, 180] (default {@value #DEFAULT_THRESHOLD_DEGREES}). */
        public Builder optThresholdDegrees(double thresholdDegrees) {
            if (!(thresholdDegrees >= 0 && thresholdDegrees <= 180)) {
                throw new IllegalArgumentException(
                        "thresholdDegrees must be in [0, 180], got " + thresholdDegrees);
            }
            this.thresholdDegrees = thresholdDegrees;
            return this;
        }

        /**
         * Compare raw dot products instead of cosines (default: embeddings and centers
         * L2-normalized, as PML's {@code CosineSimilarity}); the threshold's cosine then applies
         * to the dot products.
         */
        public Builder optDotProducts() {
            this.normalize = false;
            return this;
        }

        /** The outlier finder. */
        public SubCenterOutliers build() {
            return new SubCenterOutliers(this);
        }
    }
}
