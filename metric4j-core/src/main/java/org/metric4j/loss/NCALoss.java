package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;

/**
 * Neighbourhood components analysis (Goldberger et al. 2004) as a loss (PML's {@code NCALoss}):
 * \( -\log \sum_{j \ne i, y_j = y_i} \mathrm{softmax}_{k \ne i}(-s\, d_{ik})_j \), mean over the
 * anchors that have a positive.
 *
 * <p>Defaults: softmax scale {@value #DEFAULT_SOFTMAX_SCALE}, squared L2 on normalized
 * embeddings.
 */
public final class NCALoss extends MetricLoss {

    /** Default softmax scale. */
    public static final double DEFAULT_SOFTMAX_SCALE = 1;

    private final double softmaxScale;
    private final Distance distance;

    /** The loss with PML's defaults. */
    public NCALoss() {
        this(DEFAULT_SOFTMAX_SCALE);
    }

    /** The loss with the given softmax scale (> 0). */
    public NCALoss(double softmaxScale) {
        this(softmaxScale, LpDistance.squaredEuclidean());
    }

    /** The loss with the given softmax scale and distance. */
    public NCALoss(double softmaxScale, Distance distance) {
        super("NCALoss");
        this.softmaxScale = Inputs.positive("softmaxScale", softmaxScale);
        this.distance = distance;
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels) {
        PairBatch batch = PairBatch.of(distance, embeddings, labels);
        NDArray logits = NDMath.mul(NTXentLoss.similarity(distance, batch.matrix()), softmaxScale);
        NDArray others = batch.positive().logicalOr(batch.negative());
        NDArray all = NDMath.logSumExp(logits, others, 1).reshape(-1);
        NDArray same = NDMath.logSumExp(logits, batch.positive(), 1).reshape(-1);
        NDArray hasPos = NDMath.anyAlong(batch.positive(), 1);
        return new MeanReducer().reduce(LossTerms.of(all.sub(same), hasPos));
    }

    @Override
    public String toString() {
        return "NCALoss(softmaxScale=" + softmaxScale + ", distance=" + distance + ")";
    }
}
