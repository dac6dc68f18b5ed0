package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;

/**
 * The generalized lifted structure loss (Hermans et al. 2017, arXiv:1703.07737, p. 4), per
 * anchor: \( [\log \sum_{p} e^{d_{ap} - m_{pos}} + \log \sum_{n} e^{m_{neg} - d_{an}}]_+ \), mean
 * over anchors (PML's {@code GeneralizedLiftedStructureLoss}).
 *
 * <p>Defaults: neg margin {@value #DEFAULT_NEG_MARGIN}, pos margin {@value #DEFAULT_POS_MARGIN},
 * L2 on normalized embeddings.
 */
public final class GeneralizedLiftedStructureLoss extends MetricLoss {

    /** Default negative margin. */
    public static final double DEFAULT_NEG_MARGIN = 1;
    /** Default positive margin. */
    public static final double DEFAULT_POS_MARGIN = 0;

    private final double negMargin;
    private final double posMargin;
    private final Distance distance;

    /** The loss with PML's defaults. */
    public GeneralizedLiftedStructureLoss() {
        this(DEFAULT_NEG_MARGIN, DEFAULT_POS_MARGIN, LpDistance.euclidean());
    }

    /** The loss with explicit margins and distance. */
    public GeneralizedLiftedStructureLoss(double negMargin, double posMargin, Distance distance) {
        super("GeneralizedLiftedStructureLoss");
        this.negMargin = Inputs.finite("negMargin", negMargin);
        this.posMargin = Inputs.finite("posMargin", posMargin);
        this.distance = distance;
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels) {
        PairBatch batch = PairBatch.of(distance, embeddings, labels);
        NDArray mat = batch.matrix();
        NDArray pos = NDMath.logSumExp(distance.margin(mat, posMargin), batch.positive(), 1, false);
        NDArray neg = NDMath.logSumExp(distance.margin(negMargin, mat), batch.negative(), 1, false);
        return new MeanReducer().reduce(LossTerms.of(NDMath.relu(pos.add(neg))));
    }

    @Override
    public String toString() {
        return "GeneralizedLiftedStructureLoss(negMargin=" + negMargin + ", posMargin=" + posMargin
                + ", distance=" + distance + ")";
    }
}
