package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.distance.Distance;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.AvgNonZeroReducer;
import org.metric4j.reducer.LossTerms;

/**
 * Supervised contrastive loss (Khosla et al. 2020, arXiv:2004.11362), per anchor:
 * \( -\frac{1}{|P(i)|} \sum_{p \in P(i)} \log \frac{e^{s_{ip}/\tau}}{\sum_{a \ne i} e^{s_{ia}/\tau}} \),
 * averaged over anchors with a positive (PML's {@code SupConLoss}). A batch without any positive
 * or without any negative pair gives 0.
 *
 * <p>Defaults: temperature {@value #DEFAULT_TEMPERATURE}, cosine similarity.
 */
public final class SupConLoss extends MetricLoss {

    /** Default temperature. */
    public static final double DEFAULT_TEMPERATURE = 0.1;

    private final double temperature;
    private final Distance distance;

    /** The loss with temperature {@value #DEFAULT_TEMPERATURE}. */
    public SupConLoss() {
        this(DEFAULT_TEMPERATURE);
    }

    /** The loss with the given temperature (> 0). */
    public SupConLoss(double temperature) {
        this(temperature, CosineSimilarity.create());
    }

    /** The loss with the given temperature and distance. */
    public SupConLoss(double temperature, Distance distance) {
        super("SupConLoss");
        this.temperature = Inputs.positive("temperature", temperature);
        this.distance = distance;
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels) {
        PairBatch batch = PairBatch.of(distance, embeddings, labels);
        NDArray logits = NDMath.div(NTXentLoss.similarity(distance, batch.matrix()), temperature);
        NDArray others = batch.positive().logicalOr(batch.negative());
        NDArray logProb = logits.sub(NDMath.logSumExp(logits, others, 1));
        NDArray posValues = NDMath.asFloat(batch.positive(), logits);
        NDArray count = posValues.sum(new int[] {1});
        NDArray perAnchor = logProb.mul(posValues).sum(new int[] {1}).neg().div(count.maximum(1.0));
        NDArray valid = batch.positive().any().logicalAnd(batch.negative().any());
        perAnchor = perAnchor.mul(NDMath.asFloat(valid, perAnchor));
        return new AvgNonZeroReducer().reduce(LossTerms.of(perAnchor));
    }

    @Override
    public String toString() {
        return "SupConLoss(temperature=" + temperature + ", distance=" + distance + ")";
    }
}
