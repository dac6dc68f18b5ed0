package org.metric4j.reducer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import org.metric4j.math.NDMath;

/**
 * The mean over all terms, each weighted by the class of its anchor (PML's {@code
 * ClassWeightedReducer}): \( \frac{1}{N} \sum_t w_{y_{a(t)}} \ell_t \) over the N terms, zeros
 * included, with a(t) the anchor of term t (the first index of its pair or triplet). The loss
 * must give the labels ({@link LossTerms#withLabels}); 0 when there is no term.
 */
public final class ClassWeightedReducer implements Reducer {

    private final double[] weights;

    private ClassWeightedReducer(double[] weights) {
        this.weights = weights;
    }

    /**
     * @param weights one weight per class id, finite
     * @return the reducer
     */
    public static ClassWeightedReducer of(double... weights) {
        if (weights == null || weights.length == 0) {
            throw new IllegalArgumentException("weights must hold one weight per class, got none");
        }
        for (int i = 0; i < weights.length; i++) {
            if (!Double.isFinite(weights[i])) {
                throw new IllegalArgumentException("weights must be finite, got " + weights[i] + " at class " + i);
            }
        }
        return new ClassWeightedReducer(weights.clone());
    }

    /** The weights (a copy). */
    public double[] weights() {
        return weights.clone();
    }

    @Override
    public NDArray reduce(LossTerms terms) {
        NDArray labels = terms.labels();
        if (labels == null) {
            throw new IllegalArgumentException(
                    "ClassWeightedReducer needs the labels of the terms' anchors (LossTerms.withLabels),"
                            + " got terms '" + terms.name() + "' without them");
        }
        NDArray sums = terms.rowSums();
        NDArray y = NDMath.takeRows(labels.toType(DataType.INT64, false), terms.anchorOfRows());
        long maxLabel = y.size() == 0 ? -1 : y.max().getLong();
        if (maxLabel >= weights.length || (y.size() > 0 && y.min().getLong() < 0)) {
            throw new IllegalArgumentException("labels must be class ids in [0, " + weights.length
                    + ") (one weight per class), got up to " + maxLabel);
        }
        NDArray w = sums.getManager().create(weights).toType(sums.getDataType(), false)
                .toDevice(sums.getDevice(), false);
        w = NDMath.takeRows(w, y);
        NDArray sum = NDMath.total(sums.mul(w));
        NDArray count = NDMath.total(terms.rowCounts());
        return NDMath.scalar(sum.div(NDMath.maximum(count, 1.0)));
    }

    @Override
    public String toString() {
        return "ClassWeightedReducer(weights=" + Arrays.toString(weights) + ")";
    }
}
