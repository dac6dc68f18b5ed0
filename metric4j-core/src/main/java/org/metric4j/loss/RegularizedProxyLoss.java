package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import java.util.Objects;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.loss.regularizer.Regularizer;

/**
 * A proxy loss plus a regularizer of its proxies (class weights or centers, one per row), as PML
 * attaches one to a loss with weights ({@code weight_regularizer}, {@code weight_reg_weight}):
 * \( L(x, W, y) + \lambda R(W) \), R reduced by its own reducer. SoftTriple with a {@link
 * org.metric4j.loss.regularizer.SparseCentersRegularizer} is the paper's full objective.
 *
 * <p>Default weight \( \lambda \) = {@value #DEFAULT_WEIGHT_REG_WEIGHT} (PML's).
 */
public final class RegularizedProxyLoss extends ProxyLoss {

    /** Default weight of the regularizer. */
    public static final double DEFAULT_WEIGHT_REG_WEIGHT = 1;

    private final ProxyLoss loss;
    private final Regularizer weightRegularizer;
    private final double weightRegWeight;

    private RegularizedProxyLoss(Builder b) {
        super(b.loss.getName());
        this.loss = b.loss;
        this.weightRegularizer = b.weightRegularizer;
        this.weightRegWeight = b.weightRegWeight;
    }

    /**
     * A builder around a proxy loss.
     *
     * @param loss the loss whose proxies are regularized
     * @return the builder
     */
    public static Builder builder(ProxyLoss loss) {
        return new Builder(Objects.requireNonNull(loss, "loss"));
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray proxies, NDArray labels) {
        NDArray value = loss.compute(embeddings, proxies, labels);
        NDArray reg = weightRegularizer.compute(proxies).reshape(value.getShape());
        return value.add(NDMath.mul(reg, weightRegWeight));
    }

    /** The wrapped loss. */
    public ProxyLoss loss() {
        return loss;
    }

    @Override
    public String toString() {
        return "RegularizedProxyLoss(loss=" + loss + ", weightRegularizer=" + weightRegularizer
                + ", weightRegWeight=" + weightRegWeight + ")";
    }

    /** Builder of {@link RegularizedProxyLoss}. */
    public static final class Builder {
        private final ProxyLoss loss;
        private Regularizer weightRegularizer;
        private double weightRegWeight = DEFAULT_WEIGHT_REG_WEIGHT;

        private Builder(ProxyLoss loss) {
            this.loss = loss;
        }

        /** The regularizer of the proxies (required). */
        public Builder setWeightRegularizer(Regularizer regularizer) {
            this.weightRegularizer = Objects.requireNonNull(regularizer, "regularizer");
            return this;
        }

        /** Its weight \( \lambda \) (default {@value #DEFAULT_WEIGHT_REG_WEIGHT}). */
        public Builder optWeightRegWeight(double weight) {
            this.weightRegWeight = Inputs.finite("weightRegWeight", weight);
            return this;
        }

        /** The loss. */
        public RegularizedProxyLoss build() {
            if (weightRegularizer == null) {
                throw new IllegalArgumentException("weightRegularizer is required, got none");
            }
            return new RegularizedProxyLoss(this);
        }
    }
}
