package org.metric4j.loss.torch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;

/**
 * {@code torch.nn.TripletMarginLoss(margin, p=2, eps=1e-6, swap)}: on raw rows,
 * \( \mathrm{mean}_i [\|a_i - p_i + \epsilon\|_2 - \|a_i - n_i + \epsilon\|_2 + m]_+ \) (PyTorch's
 * pairwise distance adds eps to the difference). {@link #evaluate} takes
 * {@code predictions = [anchor, positive, negative]}.
 *
 * <p>Defaults (PyTorch's): margin {@value #DEFAULT_MARGIN}, no swap.
 */
public final class TorchTripletMarginLoss extends Loss {

    /** Default margin. */
    public static final double DEFAULT_MARGIN = 1.0;
    private static final double EPS = 1e-6;

    private final double margin;
    private final boolean swap;

    private TorchTripletMarginLoss(Builder b) {
        super("TorchTripletMarginLoss");
        this.margin = b.margin;
        this.swap = b.swap;
    }

    /** A builder with PyTorch's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        if (predictions == null || predictions.size() < 3) {
            throw new IllegalArgumentException(
                    getName() + ": predictions must hold [anchor, positive, negative]");
        }
        return compute(predictions.get(0), predictions.get(1), predictions.get(2));
    }

    /** The loss of rows anchor i, positive i, negative i. */
    public NDArray compute(NDArray anchor, NDArray positive, NDArray negative) {
        Inputs.embeddings("anchor", anchor);
        Inputs.embeddings("positive", positive);
        Inputs.embeddings("negative", negative);
        Inputs.sameShape("anchor", anchor, "positive", positive);
        Inputs.sameShape("anchor", anchor, "negative", negative);
        NDArray ap = pairwise(anchor, positive);
        NDArray an = pairwise(anchor, negative);
        if (swap) {
            an = an.minimum(pairwise(positive, negative));
        }
        return NDMath.relu(ap.sub(an).add(margin)).mean();
    }

    static NDArray pairwise(NDArray x, NDArray y) {
        return x.sub(y).add(EPS).square().sum(new int[] {1}).sqrt();
    }

    @Override
    public String toString() {
        return "TorchTripletMarginLoss(margin=" + margin + ", swap=" + swap + ")";
    }

    /** Builder of {@link TorchTripletMarginLoss}. */
    public static final class Builder {
        private double margin = DEFAULT_MARGIN;
        private boolean swap;

        private Builder() {}

        /** The margin, {@code >= 0} (default {@value #DEFAULT_MARGIN}). */
        public Builder optMargin(double margin) {
            this.margin = Inputs.nonNegative("margin", margin);
            return this;
        }

        /** Use min(d(a, n), d(p, n)) as the negative distance (PyTorch's {@code swap=True}; default off). */
        public Builder optSwap() {
            this.swap = true;
            return this;
        }

        /** The loss. */
        public TorchTripletMarginLoss build() {
            return new TorchTripletMarginLoss(this);
        }
    }
}
