package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;

/**
 * InfoNCE with explicit keys (van den Oord et al. 2018, arXiv:1807.03748; MoCo's form, He et al.
 * 2019): a query batch Q (B x D), its positive keys K+ (B x D) and a bank of negative keys (M x
 * D), all L2-normalized; cross entropy of \( [q \cdot k^+, q \cdot k^-_1, \dots, q \cdot k^-_M] /
 * \tau \) with target 0, mean over the batch.
 *
 * <p>{@link #evaluate} takes {@code predictions = [query, positiveKeys, negativeKeys]}; labels are
 * ignored. Default temperature {@value #DEFAULT_TEMPERATURE}.
 */
public final class InfoNCELoss extends Loss {

    /** Default temperature (MoCo). */
    public static final double DEFAULT_TEMPERATURE = 0.07;

    private final double temperature;

    private InfoNCELoss(Builder b) {
        super("InfoNCELoss");
        this.temperature = b.temperature;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        return compute(
                ExplicitInputs.get(getName(), predictions, 0, "the queries"),
                ExplicitInputs.get(getName(), predictions, 1, "the positive keys"),
                ExplicitInputs.get(getName(), predictions, 2, "the negative keys"));
    }

    /**
     * The loss.
     *
     * @param query B x D
     * @param positiveKeys B x D, row i the positive of query i
     * @param negativeKeys M x D, shared by every query
     * @return the mean cross entropy
     */
    public NDArray compute(NDArray query, NDArray positiveKeys, NDArray negativeKeys) {
        Inputs.embeddings("query", query);
        Inputs.embeddings("positiveKeys", positiveKeys);
        Inputs.embeddings("negativeKeys", negativeKeys);
        Inputs.sameShape("query", query, "positiveKeys", positiveKeys);
        Inputs.sameWidth("query", query, "negativeKeys", negativeKeys);
        NDArray q = query.normalize(2, 1, 1e-12);
        NDArray kp = positiveKeys.normalize(2, 1, 1e-12);
        NDArray kn = negativeKeys.normalize(2, 1, 1e-12);
        NDArray pos = NDMath.div(q.mul(kp).sum(new int[] {1}, true), temperature);
        NDArray neg = NDMath.div(q.matMul(kn.transpose()), temperature);
        NDArray logits = pos.concat(neg, 1);
        return NDMath.logSumExp(logits, null, 1).sub(pos).mean();
    }

    @Override
    public String toString() {
        return "InfoNCELoss(temperature=" + temperature + ")";
    }

    /** Builder of {@link InfoNCELoss}. */
    public static final class Builder {
        private double temperature = DEFAULT_TEMPERATURE;

        private Builder() {}

        /** Temperature, > 0 (default {@value #DEFAULT_TEMPERATURE}). */
        public Builder optTemperature(double temperature) {
            this.temperature = Inputs.positive("temperature", temperature);
            return this;
        }

        /** The loss. */
        public InfoNCELoss build() {
            return new InfoNCELoss(this);
        }
    }
}
