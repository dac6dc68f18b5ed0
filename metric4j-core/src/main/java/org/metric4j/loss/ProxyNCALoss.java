package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import java.util.Objects;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;

/**
 * Proxy-NCA (Movshovitz-Attias et al. 2017, arXiv:1703.07464), as pytorch-metric-learning's
 * {@code ProxyNCALoss}: NCA of each embedding against the class proxies,
 * \[ L = \frac{1}{B}\sum_i -\log \frac{e^{-s\, d(x_i, p_{y_i})}}{\sum_c e^{-s\, d(x_i, p_c)}}, \]
 * with d the squared L2 distance between the L2-normalized embedding and the L2-normalized proxy
 * and s the softmax scale (a similarity enters with its sign, \( e^{s\,\mathrm{sim}} \)). As in
 * PML the target proxy is in the denominator (the paper's form excludes it).
 *
 * <p>{@link #compute} takes the proxies C x D, row c = proxy of class c (PML's {@code
 * loss.proxies}); in training a {@link org.metric4j.head.ClassCenters} of C rows holds them.
 * Defaults (PML's): softmax scale {@value #DEFAULT_SOFTMAX_SCALE}, {@link
 * LpDistance#squaredEuclidean()}, the mean over the batch. One departure: PML drops the rows
 * whose target probability underflows to exactly 0; here the log-probability is a stable
 * log-softmax, finite for every row, so no row is dropped. PML's miner weights and weight
 * regularizers are not supported.
 */
public final class ProxyNCALoss extends ProxyLoss {

    /** Default softmax scale. */
    public static final double DEFAULT_SOFTMAX_SCALE = 1;

    private final double softmaxScale;
    private final Distance distance;

    private ProxyNCALoss(Builder b) {
        super("ProxyNCALoss");
        this.softmaxScale = b.softmaxScale;
        this.distance = b.distance;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The loss.
     *
     * @param embeddings B x D
     * @param proxies C x D, row c = proxy of class c
     * @param labels B class ids in [0, C)
     * @return the mean loss, a scalar of the embeddings' dtype
     */
    @Override
    public NDArray compute(NDArray embeddings, NDArray proxies, NDArray labels) {
        NDArray y = checkedLabels(embeddings, proxies, labels, 1);
        NDArray sim = NTXentLoss.similarity(distance, distance.matrix(embeddings, proxies));
        return crossEntropy(NDMath.mul(sim, softmaxScale), y);
    }

    @Override
    public String toString() {
        return "ProxyNCALoss(softmaxScale=" + softmaxScale + ", distance=" + distance + ")";
    }

    /** Builder of {@link ProxyNCALoss}. */
    public static final class Builder {
        private double softmaxScale = DEFAULT_SOFTMAX_SCALE;
        private Distance distance = LpDistance.squaredEuclidean();

        private Builder() {}

        /** The softmax scale s, {@code > 0} (default {@value #DEFAULT_SOFTMAX_SCALE}). */
        public Builder optSoftmaxScale(double softmaxScale) {
            this.softmaxScale = Inputs.positive("softmaxScale", softmaxScale);
            return this;
        }

        /** The distance or similarity between embeddings and proxies (default squared L2, normalized). */
        public Builder optDistance(Distance distance) {
            this.distance = Objects.requireNonNull(distance, "distance");
            return this;
        }

        /** The loss. */
        public ProxyNCALoss build() {
            return new ProxyNCALoss(this);
        }
    }
}
