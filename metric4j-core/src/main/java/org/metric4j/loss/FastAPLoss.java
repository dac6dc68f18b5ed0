package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import java.util.Objects;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.distance.PairMasks;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;
import org.metric4j.reducer.Reducer;

/**
 * FastAP (Cakir et al. 2019, "Deep Metric Learning to Rank", CVPR): average precision of each
 * anchor's ranking, relaxed by histogram binning of its distances (PML's {@code FastAPLoss}).
 * With nodes \( z_b = b \Delta \), \( b = 0..K \), \( \Delta = d_{max} / K \) and the triangular
 * pulse \( \delta_b(d) = \max(0, 1 - |d - z_b| / \Delta) \), anchor a has the positive and
 * negative histograms \( h^+_b = \sum_{p} \delta_b(d_{ap}) \), \( h^-_b = \sum_n \delta_b(d_{an})
 * \), their cumulative sums \( H^+ \), \( H = H^+ + H^- \), and
 * \( \mathrm{FastAP}_a = \frac{1}{|P_a|} \sum_{b: h^+_b H^+_b > 0} h^+_b H^+_b / H_b \); the loss
 * is \( 1 - \mathrm{FastAP}_a \), reduced over the anchors that have a positive.
 *
 * <p>Defaults (PML's): {@value #DEFAULT_NUM_BINS} bins, squared L2 distance of L2-normalized
 * embeddings (\( d_{max} = 2^{power} \): 4, or 2 with power 1; only a normalizing {@link
 * LpDistance} is accepted), {@link MeanReducer} over anchors. No miner (PML's miner weights are
 * not supported). A batch without a positive pair gives 0. Memory: (K + 1) x B x B.
 */
public final class FastAPLoss extends MetricLoss {

    /** Default number of histogram bins. */
    public static final int DEFAULT_NUM_BINS = 10;

    private final int numBins;
    private final LpDistance distance;
    private final Reducer reducer;

    private FastAPLoss(Builder b) {
        super("FastAPLoss");
        this.numBins = b.numBins;
        this.distance = b.distance;
        this.reducer = b.reducer;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        NDArray y = Inputs.labels("labels", labels, b);
        PairMasks masks = PairMasks.of(y);
        NDArray hasPos = NDMath.anyAlong(masks.positive(), 1);
        if (NDMath.count(hasPos) == 0) {
            return nothingSelected(embeddings);
        }
        NDArray dist = distance.matrix(embeddings);
        double max = Math.pow(2, distance.power());
        double delta = max / numBins;
        // nodes z_b as a (K + 1) x 1 x 1 column, in the distances' dtype
        NDArray nodes = NDMath.mul(embeddings.getManager().arange(numBins + 1).toType(dist.getDataType(), false),
                delta).reshape(numBins + 1, 1, 1);
        NDArray pulse = NDMath.relu(NDMath.constant(dist, 1.0)
                .sub(NDMath.div(dist.expandDims(0).sub(nodes).abs(), delta)));
        NDArray pos = NDMath.asFloat(masks.positive(), dist);
        NDArray neg = NDMath.asFloat(masks.negative(), dist);
        NDArray posHist = pulse.mul(pos).sum(new int[] {2}).transpose();    // B x (K + 1)
        NDArray negHist = pulse.mul(neg).sum(new int[] {2}).transpose();
        NDArray totalPos = posHist.cumSum(1);
        NDArray total = posHist.add(negHist).cumSum(1);
        NDArray product = posHist.mul(totalPos);
        NDArray safe = product.gt(0.0).logicalAnd(total.gt(0.0));
        if (NDMath.count(safe) == 0) {
            return nothingSelected(embeddings);
        }
        NDArray safeTotal = NDArrays.where(safe, total, total.onesLike());
        NDArray ap = NDArrays.where(safe, product.div(safeTotal), product.zerosLike()).sum(new int[] {1});
        NDArray numPos = pos.sum(new int[] {1});
        NDArray perAnchor = NDMath.constant(ap, 1.0).sub(ap.div(NDMath.maximum(numPos, 1.0)));
        return reduce(reducer, LossTerms.of(perAnchor, hasPos));
    }

    @Override
    public String toString() {
        return "FastAPLoss(numBins=" + numBins + ", distance=" + distance + ", reducer=" + reducer + ")";
    }

    /** Builder of {@link FastAPLoss}. */
    public static final class Builder {
        private int numBins = DEFAULT_NUM_BINS;
        private LpDistance distance = LpDistance.squaredEuclidean();
        private Reducer reducer = new MeanReducer();

        private Builder() {}

        /** The number of histogram bins K, {@code >= 1} (default {@value #DEFAULT_NUM_BINS}). */
        public Builder optNumBins(int numBins) {
            Inputs.atLeast("numBins", numBins, 1);
            this.numBins = numBins;
            return this;
        }

        /**
         * The distance: an {@link LpDistance} that L2-normalizes the embeddings (default squared
         * L2, as PML's {@code LpDistance(power=2)}).
         */
        public Builder optDistance(Distance distance) {
            Objects.requireNonNull(distance, "distance");
            if (!(distance instanceof LpDistance lp) || !lp.normalizesEmbeddings()) {
                throw new IllegalArgumentException("distance must be an LpDistance with L2-normalized"
                        + " embeddings for FastAPLoss (its histogram spans [0, 2^power]), got " + distance);
            }
            this.distance = lp;
            return this;
        }

        /** The reducer of the per-anchor terms (default {@link MeanReducer}). */
        public Builder optReducer(Reducer reducer) {
            this.reducer = Objects.requireNonNull(reducer, "reducer");
            return this;
        }

        /** The loss. */
        public FastAPLoss build() {
            return new FastAPLoss(this);
        }
    }
}
