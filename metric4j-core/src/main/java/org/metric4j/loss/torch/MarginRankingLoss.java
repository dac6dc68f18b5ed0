package org.metric4j.loss.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;

/**
 * {@code torch.nn.MarginRankingLoss(margin)}: \( \mathrm{mean}_i [-y_i (x_{1,i} - x_{2,i}) + m]_+ \)
 * for scores x1, x2 and y in {1, -1} (y = 1: x1 should rank higher). {@link #evaluate} takes
 * {@code predictions = [x1, x2]} and {@code labels = [y]}.
 *
 * <p>Default margin {@value #DEFAULT_MARGIN}.
 */
public final class MarginRankingLoss extends Loss {

    /** Default margin. */
    public static final double DEFAULT_MARGIN = 0;

    private final double margin;

    private MarginRankingLoss(Builder b) {
        super("MarginRankingLoss");
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

    /** The loss of scores x1, x2 (1-D, same length) and targets y in {1, -1}. */
    public NDArray compute(NDArray x1, NDArray x2, NDArray target) {
        if (x1.getShape().dimension() != 1 || !x1.getShape().equals(x2.getShape())) {
            throw new IllegalArgumentException(
                    "x1 and x2 must be 1-D score arrays of equal length, got " + x1.getShape()
                            + " and " + x2.getShape());
        }
        NDArray y = Inputs.labels("target", target, x1.getShape().get(0));
        if (y.eq(1).logicalOr(y.eq(-1)).logicalNot().any().getBoolean()) {
            throw new IllegalArgumentException("target must hold only 1 and -1");
        }
        NDArray sign = y.toType(x1.getDataType(), false);
        return NDMath.relu(x1.sub(x2).mul(sign).neg().add(margin)).mean();
    }

    @Override
    public String toString() {
        return "MarginRankingLoss(margin=" + margin + ")";
    }

    /** Builder of {@link MarginRankingLoss}. */
    public static final class Builder {
        private double margin = DEFAULT_MARGIN;

        private Builder() {}

        /** Margin (default {@value #DEFAULT_MARGIN}). */
        public Builder optMargin(double margin) {
            this.margin = Inputs.finite("margin", margin);
            return this;
        }

        /** The loss. */
        public MarginRankingLoss build() {
            return new MarginRankingLoss(this);
        }
    }
}
