package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.distance.Distance;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;

/**
 * NT-Xent / InfoNCE over labels (SimCLR, Chen et al. 2020, arXiv:2002.05709; PML's {@code
 * NTXentLoss}): every positive pair (a, p) against all negatives of its anchor,
 * \( -\log \frac{e^{s_{ap}/\tau}}{e^{s_{ap}/\tau} + \sum_n e^{s_{an}/\tau}} =
 * \mathrm{softplus}(\log\sum_n e^{s_{an}/\tau} - s_{ap}/\tau) \), mean over positive pairs.
 *
 * <p>One logsumexp per row of the B x B matrix serves every positive pair of that row.
 * Defaults: temperature {@value #DEFAULT_TEMPERATURE}, cosine similarity. A distance is negated.
 */
public final class NTXentLoss extends MetricLoss {

    /** Default temperature. */
    public static final double DEFAULT_TEMPERATURE = 0.07;

    private final double temperature;
    private final Distance distance;

    /** The loss with temperature {@value #DEFAULT_TEMPERATURE}. */
    public NTXentLoss() {
        this(DEFAULT_TEMPERATURE);
    }

    /** The loss with the given temperature (> 0) and cosine similarity. */
    public NTXentLoss(double temperature) {
        this(temperature, CosineSimilarity.create());
    }

    /** The loss with the given temperature and distance. */
    public NTXentLoss(double temperature, Distance distance) {
        super("NTXentLoss");
        this.temperature = Inputs.positive("temperature", temperature);
        this.distance = distance;
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels) {
        PairBatch batch = PairBatch.of(distance, embeddings, labels);
        NDArray logits = NDMath.div(similarity(distance, batch.matrix()), temperature);
        NDArray negLse = NDMath.logSumExp(logits, batch.negative(), 1, false);
        NDArray hasNeg = NDMath.anyAlong(batch.negative(), 1).reshape(-1, 1);
        NDArray perPair = NDMath.softplus(negLse.sub(logits));
        perPair = perPair.mul(NDMath.asFloat(hasNeg, perPair));
        return new MeanReducer().reduce(LossTerms.of(perPair, batch.positive()));
    }

    /** The matrix as a similarity: unchanged for a similarity, negated for a distance. */
    static NDArray similarity(Distance distance, NDArray mat) {
        return distance.isInverted() ? mat : mat.neg();
    }

    @Override
    public String toString() {
        return "NTXentLoss(temperature=" + temperature + ", distance=" + distance + ")";
    }
}
