package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import java.util.Objects;
import java.util.Optional;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.loss.regularizer.Regularizer;

/**
 * A metric loss plus a regularizer of the embeddings, as PML attaches one to any loss ({@code
 * embedding_regularizer}, {@code embedding_reg_weight}): \( L(x, y) + \lambda R(x) \), R on the
 * raw B x D embeddings (before the distance normalizes them) and reduced by its own reducer; the
 * loss keeps its own reducers. The selection reported is the wrapped loss's.
 *
 * <p>Default weight \( \lambda \) = {@value #DEFAULT_EMBEDDING_REG_WEIGHT} (PML's).
 */
public final class RegularizedLoss extends MetricLoss {

    /** Default weight of the regularizer. */
    public static final double DEFAULT_EMBEDDING_REG_WEIGHT = 1;

    private final MetricLoss loss;
    private final Regularizer embeddingRegularizer;
    private final double embeddingRegWeight;

    private RegularizedLoss(Builder b) {
        super(b.loss.getName());
        this.loss = b.loss;
        this.embeddingRegularizer = b.embeddingRegularizer;
        this.embeddingRegWeight = b.embeddingRegWeight;
    }

    /**
     * A builder around a loss.
     *
     * @param loss the loss whose embeddings are regularized
     * @return the builder
     */
    public static Builder builder(MetricLoss loss) {
        return new Builder(Objects.requireNonNull(loss, "loss"));
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels) {
        NDArray value = loss.compute(embeddings, labels);
        NDArray reg = embeddingRegularizer.compute(embeddings).reshape(value.getShape());
        return value.add(NDMath.mul(reg, embeddingRegWeight));
    }

    /** The wrapped loss. */
    public MetricLoss loss() {
        return loss;
    }

    @Override
    public Optional<Selection> lastSelection() {
        return loss.lastSelection();
    }

    @Override
    public String toString() {
        return "RegularizedLoss(loss=" + loss + ", embeddingRegularizer=" + embeddingRegularizer
                + ", embeddingRegWeight=" + embeddingRegWeight + ")";
    }

    /** Builder of {@link RegularizedLoss}. */
    public static final class Builder {
        private final MetricLoss loss;
        private Regularizer embeddingRegularizer;
        private double embeddingRegWeight = DEFAULT_EMBEDDING_REG_WEIGHT;

        private Builder(MetricLoss loss) {
            this.loss = loss;
        }

        /** The regularizer of the embeddings (required). */
        public Builder setEmbeddingRegularizer(Regularizer regularizer) {
            this.embeddingRegularizer = Objects.requireNonNull(regularizer, "regularizer");
            return this;
        }

        /** Its weight \( \lambda \) (default {@value #DEFAULT_EMBEDDING_REG_WEIGHT}). */
        public Builder optEmbeddingRegWeight(double weight) {
            this.embeddingRegWeight = Inputs.finite("embeddingRegWeight", weight);
            return this;
        }

        /** The loss. */
        public RegularizedLoss build() {
            if (embeddingRegularizer == null) {
                throw new IllegalArgumentException("embeddingRegularizer is required, got none");
            }
            return new RegularizedLoss(this);
        }
    }
}
