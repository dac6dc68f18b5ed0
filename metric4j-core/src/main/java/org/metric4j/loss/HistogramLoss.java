package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.distance.PairMasks;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.SumReducer;

/**
 * Histogram loss (Ustinova and Lempitsky 2016, "Learning Deep Embeddings with Histogram Loss",
 * arXiv:1611.00822): the cosine similarities of the positive and of the negative pairs are
 * spread linearly over the R + 1 nodes \( t_r = -1 + r\Delta \), \( \Delta = 2 / R \), giving
 * histograms \( p^+ \), \( p^- \) (each divided by its number of pairs); the loss is the
 * probability that a negative pair is more similar than a positive one,
 * \( \sum_r p^-_r \sum_{q \le r} p^+_q \). The gradient flows through the interpolation
 * weights.
 *
 * <p>Pairs as in PML's {@code HistogramLoss}: the unordered pairs {i, j} of the batch's
 * triplets, so a positive pair counts only if its anchor has a negative, a negative pair only
 * if one of its two ends has a positive; a batch without a triplet gives a zero loss connected to
 * the graph. PML's quirk kept: the bin index \( \lfloor (s + 1) / \Delta \rfloor \) is taken
 * from the similarity rounded to float32 and the bin edges \( r\Delta \) (and \( (r + 1)\Delta - 1 \)) are float32 values,
 * in float64 as well. Memory O(P x R) for P pairs.
 *
 * <p>Default (PML): {@value #DEFAULT_BINS} bins.
 */
public final class HistogramLoss extends MetricLoss {

    /** Default number of bins R. */
    public static final int DEFAULT_BINS = 100;

    private final int bins;
    private final double delta;

    private HistogramLoss(Builder b) {
        super("HistogramLoss");
        this.bins = b.bins;
        this.delta = 2.0 / b.bins;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        NDArray y = Inputs.labels("labels", labels, b);
        NDArray sim = CosineSimilarity.create().matrix(embeddings);
        PairMasks masks = PairMasks.of(y);
        NDArray hasPos = NDMath.anyAlong(masks.positive(), 1);
        NDArray hasNeg = NDMath.anyAlong(masks.negative(), 1);
        NDArray upper = upperTriangle(y);
        NDArray pos = masks.positive().logicalAnd(hasNeg.reshape(-1, 1)).logicalAnd(upper);
        NDArray neg = masks.negative().logicalAnd(hasPos.reshape(-1, 1).logicalOr(hasPos.reshape(1, -1)))
                .logicalAnd(upper);
        if (NDMath.count(pos) == 0 || NDMath.count(neg) == 0) {
            return nothingSelected(sim);
        }
        NDArray pPos = density(sim.booleanMask(pos));
        NDArray pNeg = density(sim.booleanMask(neg));
        NDArray terms = pNeg.mul(pPos.cumSum(0));
        return reduce(new SumReducer(), LossTerms.of(terms).withSelection(pos.logicalOr(neg)));
    }

    /** The R + 1 node weights of the similarities, divided by their number. */
    private NDArray density(NDArray s) {
        DataType dt = s.getDataType();
        NDArray s32 = s.stopGradient().toType(DataType.FLOAT32, false);
        NDArray delta32 = NDMath.constant(s32, delta);
        NDArray r = s32.add(1f).div(delta32).floor();
        NDArray lower = r.mul(delta32).toType(dt, false);          // r delta, as float32 (PML)
        NDArray upperMinusOne = r.add(1f).mul(delta32).sub(1f).toType(dt, false);  // (r + 1) delta - 1, float32
        NDArray wUpper = NDMath.div(s.add(1.0).sub(lower), delta);      // to node r + 1
        NDArray wLower = NDMath.div(upperMinusOne.sub(s), delta);  // to node r
        NDArray nodes = s.getManager().arange(bins + 1).toType(DataType.FLOAT32, false)
                .toDevice(s.getDevice(), false).reshape(1, -1);
        NDArray rCol = r.reshape(-1, 1);
        NDArray atLower = NDMath.asFloat(rCol.eq(nodes), s);
        NDArray atUpper = NDMath.asFloat(rCol.add(1f).eq(nodes), s);
        NDArray hist = wLower.reshape(1, -1).matMul(atLower).add(wUpper.reshape(1, -1).matMul(atUpper));
        return NDMath.div(hist.reshape(-1), s.size());
    }

    private static NDArray upperTriangle(NDArray y) {
        NDArray idx = y.getManager().arange(y.size()).toType(DataType.INT64, false).toDevice(y.getDevice(), false);
        return idx.reshape(-1, 1).lt(idx.reshape(1, -1));
    }

    /** The number of bins R. */
    public int bins() {
        return bins;
    }

    @Override
    public String toString() {
        return "HistogramLoss(bins=" + bins + ", delta=" + delta + ")";
    }

    /** Builder of {@link HistogramLoss}. */
    public static final class Builder {
        private int bins = DEFAULT_BINS;

        private Builder() {}

        /** The number of bins R, >= 1 (default {@value #DEFAULT_BINS}). */
        public Builder optBins(int bins) {
            Inputs.atLeast("bins", bins, 1);
            this.bins = bins;
            return this;
        }

        /**
         * The bin width \( \Delta \), which must be 2 / R for an integer R (PML's {@code delta}):
         * sets R = 2 / delta.
         */
        public Builder optDelta(double delta) {
            double r = 2.0 / delta;
            long rounded = Math.round(r);
            if (!(delta > 0) || !Double.isFinite(r) || rounded < 1 || Math.abs(r - rounded) > 1e-9 * rounded) {
                throw new IllegalArgumentException(
                        "delta must be 2 / R for an integer number of bins R >= 1, got " + delta);
            }
            this.bins = (int) rounded;
            return this;
        }

        /** The loss. */
        public HistogramLoss build() {
            return new HistogramLoss(this);
        }
    }
}
