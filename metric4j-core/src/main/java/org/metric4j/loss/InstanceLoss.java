package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;

/**
 * Instance loss in pytorch-metric-learning's form (after Zheng et al. 2020, "Dual-Path
 * Convolutional Image-Text Embeddings with Instance Loss", arXiv:1711.05535): the softmax cross
 * entropy of each row of \( \gamma S \), S the B x B cosine similarity matrix of the batch,
 * averaged over the rows: \( \frac{1}{B} \sum_i [\log \sum_j e^{\gamma s_{ij}} - \gamma
 * s_{i t_i}] \).
 *
 * <p>PML's target, kept: \( t_i \) is the rank of \( y_i \) among the batch's sorted distinct
 * labels ({@code torch.unique(return_inverse=True)}), used as a column of S, i.e. a batch
 * sample, not a class (the paper trains a classifier over instance ids). The loss therefore
 * depends on the order of the batch.
 *
 * <p>Default (PML): gamma {@value #DEFAULT_GAMMA}.
 */
public final class InstanceLoss extends MetricLoss {

    /** Default scale gamma. */
    public static final double DEFAULT_GAMMA = 64;

    private final double gamma;

    private InstanceLoss(Builder b) {
        super("InstanceLoss");
        this.gamma = b.gamma;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        NDArray y = Inputs.labels("labels", labels, b);
        NDArray logits = NDMath.mul(CosineSimilarity.create().matrix(embeddings), gamma);
        NDArray target = labelRanks(y);
        NDArray ce = NDMath.logSumExp(logits, null, 1).reshape(-1)
                .sub(logits.gather(target.reshape(-1, 1), 1).reshape(-1));
        return reduce(new MeanReducer(), LossTerms.of(ce));
    }

    /** Rank of each label among the sorted distinct labels (INT64, on the labels' device). */
    static NDArray labelRanks(NDArray y) {
        long[] values = y.toType(DataType.INT64, false).toLongArray();
        long[] distinct = Arrays.stream(values).distinct().sorted().toArray();
        long[] ranks = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            ranks[i] = Arrays.binarySearch(distinct, values[i]);
        }
        return y.getManager().create(ranks).toDevice(y.getDevice(), false);
    }

    @Override
    public String toString() {
        return "InstanceLoss(gamma=" + gamma + ")";
    }

    /** Builder of {@link InstanceLoss}. */
    public static final class Builder {
        private double gamma = DEFAULT_GAMMA;

        private Builder() {}

        /** The scale gamma of the similarities, > 0 (default {@value #DEFAULT_GAMMA}). */
        public Builder optGamma(double gamma) {
            this.gamma = Inputs.positive("gamma", gamma);
            return this;
        }

        /** The loss. */
        public InstanceLoss build() {
            return new InstanceLoss(this);
        }
    }
}
