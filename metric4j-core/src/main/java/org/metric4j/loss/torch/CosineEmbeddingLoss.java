package org.metric4j.loss.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;

/**
 * {@code torch.nn.CosineEmbeddingLoss(margin)}: \( 1 - \cos(x_1, x_2) \) where y = 1 and
 * \( [\cos(x_1, x_2) - m]_+ \) where y = -1, mean over rows. {@link #evaluate} takes
 * {@code predictions = [x1, x2]} and {@code labels = [y]} with y in {1, -1}.
 *
 * <p>Default margin {@value #DEFAULT_MARGIN}; it must lie in [-1, 1].
 */
public final class CosineEmbeddingLoss extends Loss {

    /** Default margin. */
    public static final double DEFAULT_MARGIN = 0;
    private static final double EPS = 1e-12;

    private final double margin;

    private CosineEmbeddingLoss(Builder b) {
        super("CosineEmbeddingLoss");
        this.margin = b.margin;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        if (predictions == null || predictions.size() < 2 || labels == null || labels.isEmpty()) {
            throw new IllegalArgumentException(
                    getName() + ": predictions must hold [x1, x2] and labels [y]");
        }
        return compute(predictions.get(0), predictions.get(1), labels.head());
    }

    /** The loss of rows x1 i and x2 i with target y i in {1, -1}. */
    public NDArray compute(NDArray x1, NDArray x2, NDArray target) {
        long n = Inputs.embeddings("x1", x1);
        Inputs.embeddings("x2", x2);
        Inputs.sameShape("x1", x1, "x2", x2);
        NDArray y = Inputs.labels("target", target, n);
        if (y.eq(1).logicalOr(y.eq(-1)).logicalNot().any().getBoolean()) {
            throw new IllegalArgumentException("target must hold only 1 and -1");
        }
        int[] row = {1};
        NDArray dot = x1.mul(x2).sum(row);
        NDArray mag = x1.square().sum(row).add(EPS).mul(x2.square().sum(row).add(EPS)).sqrt();
        NDArray cos = dot.div(mag);
        NDArray same = cos.neg().add(1.0);
        NDArray different = NDMath.relu(cos.sub(margin));
        return NDArrays.where(y.eq(1), same, different).mean();
    }

    @Override
    public String toString() {
        return "CosineEmbeddingLoss(margin=" + margin + ")";
    }

    /** Builder of {@link CosineEmbeddingLoss}. */
    public static final class Builder {
        private double margin = DEFAULT_MARGIN;

        private Builder() {}

        /** Margin in [-1, 1] (default {@value #DEFAULT_MARGIN}). */
        public Builder optMargin(double margin) {
            if (!(margin >= -1 && margin <= 1)) {
                throw new IllegalArgumentException("margin must be in [-1, 1], got " + margin);
            }
            this.margin = margin;
            return this;
        }

        /** The loss. */
        public CosineEmbeddingLoss build() {
            return new CosineEmbeddingLoss(this);
        }
    }
}
