package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import java.util.Objects;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.distance.Distance;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;

/**
 * Proxy-Anchor loss (Kim et al. 2020, arXiv:2003.13911), as pytorch-metric-learning's {@code
 * ProxyAnchorLoss}: each proxy is an anchor against the whole batch. With \( s_{ic} \) the
 * similarity of embedding i and proxy c, \( P^+ \) the classes that have a sample in the batch and
 * C the number of classes,
 * \[ L = \frac{1}{|P^+|}\sum_{c} \log\Big(1 + \sum_{i: y_i = c} e^{-\alpha (s_{ic} - \delta)}\Big)
 *   + \frac{1}{C}\sum_{c} \log\Big(1 + \sum_{i: y_i \ne c} e^{\alpha (s_{ic} + \delta)}\Big). \]
 * A class without a sample adds 0 to the first sum but still counts in the second (PML's
 * DivisorReducer divisors). Both sums are stable logsumexps with the added zero logit.
 *
 * <p>{@link #compute} takes the proxies C x D, row c = proxy of class c (PML's {@code
 * loss.proxies}); in training a {@link org.metric4j.head.ClassCenters} of C rows holds them.
 * Defaults (PML's): margin \( \delta \) = {@value #DEFAULT_MARGIN}, alpha = {@value
 * #DEFAULT_ALPHA}, {@link CosineSimilarity}. With a distance instead of a similarity the
 * exponents follow the distance's direction ({@link Distance#margin}), as in PML. PML's miner
 * weights and weight regularizers are not supported.
 */
public final class ProxyAnchorLoss extends ProxyLoss {

    /** Default margin delta. */
    public static final double DEFAULT_MARGIN = 0.1;
    /** Default scale alpha. */
    public static final double DEFAULT_ALPHA = 32;

    private final double margin;
    private final double alpha;
    private final Distance distance;

    private ProxyAnchorLoss(Builder b) {
        super("ProxyAnchorLoss");
        this.margin = b.margin;
        this.alpha = b.alpha;
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
     * @return the loss, a scalar of the embeddings' dtype
     */
    @Override
    public NDArray compute(NDArray embeddings, NDArray proxies, NDArray labels) {
        NDArray y = checkedLabels(embeddings, proxies, labels, 1);
        long numClasses = proxies.getShape().get(0);
        NDArray sim = distance.matrix(embeddings, proxies);                 // B x C
        NDArray positive = classMask(y, numClasses);
        NDArray negative = positive.logicalNot();
        NDArray posLogits = NDMath.mul(distance.margin(sim, margin), alpha);
        NDArray negLogits = NDMath.mul(distance.margin(-margin, sim), alpha);
        NDArray posTerms = NDMath.logOnePlusSumExp(posLogits, positive, 0);  // 1 x C, 0 without a sample
        NDArray negTerms = NDMath.logOnePlusSumExp(negLogits, negative, 0);
        long withSample = NDMath.count(NDMath.anyAlong(positive, 0));        // >= 1: B >= 1
        NDArray pos = NDMath.mul(NDMath.total(posTerms), 1.0 / withSample);
        NDArray neg = NDMath.mul(NDMath.total(negTerms), 1.0 / numClasses);
        return NDMath.scalar(pos.add(neg));
    }

    @Override
    public String toString() {
        return "ProxyAnchorLoss(margin=" + margin + ", alpha=" + alpha + ", distance=" + distance + ")";
    }

    /** Builder of {@link ProxyAnchorLoss}. */
    public static final class Builder {
        private double margin = DEFAULT_MARGIN;
        private double alpha = DEFAULT_ALPHA;
        private Distance distance = CosineSimilarity.create();

        private Builder() {}

        /** Margin delta, {@code >= 0} (default {@value #DEFAULT_MARGIN}). */
        public Builder optMargin(double margin) {
            this.margin = Inputs.nonNegative("margin", margin);
            return this;
        }

        /** Scale alpha, {@code > 0} (default {@value #DEFAULT_ALPHA}). */
        public Builder optAlpha(double alpha) {
            this.alpha = Inputs.positive("alpha", alpha);
            return this;
        }

        /** The similarity or distance between embeddings and proxies (default cosine). */
        public Builder optDistance(Distance distance) {
            this.distance = Objects.requireNonNull(distance, "distance");
            return this;
        }

        /** The loss. */
        public ProxyAnchorLoss build() {
            return new ProxyAnchorLoss(this);
        }
    }
}
