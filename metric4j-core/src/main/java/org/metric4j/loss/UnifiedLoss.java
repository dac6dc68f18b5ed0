package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;

/**
 * The unified loss \( L_{uni} \) of Sun et al. 2020 (Circle loss paper, arXiv:2002.10857, eq. 1),
 * per anchor: \( \log(1 + \sum_i \sum_j e^{\gamma(s_n^j - s_p^i + m)}) = \mathrm{softplus}(\log
 * \sum_j e^{\gamma(s_n^j + m)} + \log \sum_i e^{-\gamma s_p^i}) \), cosine similarity, mean over
 * the anchors that have a positive and a negative. With the pairs of a class-level proxy set it
 * becomes AM-Softmax; with pair labels, a smooth triplet loss.
 *
 * <p>Defaults (the paper's; PML has no unified loss): gamma {@value #DEFAULT_GAMMA}, m {@value
 * #DEFAULT_M}.
 */
public final class UnifiedLoss extends PairRelationLoss {

    /** Default scale. */
    public static final double DEFAULT_GAMMA = 32;
    /** Default margin. */
    public static final double DEFAULT_M = 0.25;

    private final double gamma;
    private final double m;

    private UnifiedLoss(Builder b) {
        super("UnifiedLoss", CosineSimilarity.create(), null);
        this.gamma = b.gamma;
        this.m = b.m;
    }

    /** A builder with the paper's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    NDArray fromBatch(PairBatch batch) {
        NDArray s = batch.matrix();
        NDArray neg = NDMath.logSumExp(NDMath.mul(s.add(m), gamma), batch.negative(), 1);
        NDArray pos = NDMath.logSumExp(NDMath.mul(s, -gamma), batch.positive(), 1);
        NDArray valid = NDMath.anyAlong(batch.positive(), 1)
                .logicalAnd(NDMath.anyAlong(batch.negative(), 1));
        NDArray losses = NDMath.softplus(neg.add(pos).reshape(-1));
        return reduce(new MeanReducer(), LossTerms.of(losses, valid));
    }

    @Override
    public String toString() {
        return "UnifiedLoss(gamma=" + gamma + ", m=" + m + ")";
    }

    /** Builder of {@link UnifiedLoss}. */
    public static final class Builder {
        private double gamma = DEFAULT_GAMMA;
        private double m = DEFAULT_M;

        private Builder() {}

        /** The scale gamma, {@code > 0} (default {@value #DEFAULT_GAMMA}). */
        public Builder optGamma(double gamma) {
            this.gamma = Inputs.positive("gamma", gamma);
            return this;
        }

        /** The margin m on the similarities (default {@value #DEFAULT_M}). */
        public Builder optM(double m) {
            this.m = Inputs.finite("m", m);
            return this;
        }

        /** The loss. */
        public UnifiedLoss build() {
            return new UnifiedLoss(this);
        }
    }
}
