package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.metric4j.distance.LpDistance;
import org.metric4j.distance.PairRelation;
import org.metric4j.distance.PairMasks;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.miner.TripletIndices;
import org.metric4j.miner.TripletMiner;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;
import org.metric4j.schedule.StepState;
import org.metric4j.schedule.StepUpdate;

/**
 * Dynamic soft margin loss (Zhang and Rusinkiewicz 2019, "Learning Local Descriptors with a
 * CDF-Based Dynamic Soft Margin", ICCV), as pytorch-metric-learning's {@code
 * DynamicSoftMarginLoss}: for every triplet (a, p, n) of the batch (or of a {@link TripletMiner}),
 * \( x = d_{ap} - d_{an} \) (L2 distance of L2-normalized embeddings). With
 * \( \Delta = 2|v_{min}| / R \) each x is spread linearly over bins \( b = \lfloor (x - v_{min}) / \Delta \rfloor \) and b + 1 (weights 1 - f
 * and f, f the fractional part); h is that histogram divided by its sum, and
 * \( L = \frac{1}{N} \sum_{triplets} \mathrm{CDF}_h[b(x)]\, x \). The gradient flows through the
 * histogram as well, as in PML.
 *
 * <p>Later calls, which PML 2.8.1 does not define (its stored histogram keeps the first call's
 * graph, so a second training step raises): the histogram of a call is \( h = \beta\, h_{batch} +
 * (1 - \beta)\, h_{stored} \), with the batch's normalized histogram (with gradient) and the
 * stored one (no gradient); the first call, with nothing stored, uses \( h_{batch} \) alone (PML's
 * first call). The stored histogram changes once per training step, in {@link #afterStep} (to the
 * h of the step's batch, without gradient), never in {@code evaluate}; it is the loss's {@link
 * StepState}, saved with checkpoints.
 *
 * <p>Positions outside the histogram are clamped to its range: \( (x - v_{min}) / \Delta \) to
 * [0, R - 1] (PML raises an index error there; with the default \( v_{min} = -2 \) only
 * \( x \ge 1.6 \) is concerned). A batch without a triplet gives 0 and leaves the state alone.
 *
 * <p>As a {@link ReferenceSetLoss} (PML's {@code ref_emb}, {@code ref_labels}) the triplets are
 * those of queries against references; PML's first call with references is matched. Those calls
 * read the stored histogram and do not change it: a manual loop passes the references to
 * {@link #afterStep} as well. It cannot sit inside a {@link CrossBatchMemory}, which does not pass
 * its steps on to its inner loss (its histogram would never move).
 * PML's call without labels (descriptor pairs) is not supported.
 *
 * <p>Defaults (PML's): \( v_{min} \) = {@value #DEFAULT_MIN_VAL}, R = {@value #DEFAULT_NUM_BINS}
 * bins, momentum \( \beta \) = {@value #DEFAULT_MOMENTUM}.
 */
public final class DynamicSoftMarginLoss extends MetricLoss implements ReferenceSetLoss, StepUpdate, StepState {

    /** Default lower end of the histogram. */
    public static final double DEFAULT_MIN_VAL = -2.0;
    /** Default number of bins. */
    public static final int DEFAULT_NUM_BINS = 10;
    /** Default weight of the batch's histogram. */
    public static final double DEFAULT_MOMENTUM = 0.01;

    private final double minVal;
    private final int numBins;
    private final double delta;
    private final double momentum;
    private final LpDistance distance = LpDistance.euclidean();
    private final TripletMiner miner;

    private final double[] stored;
    private boolean filled;
    private NDManager stateManager;
    private NDList saved;

    private DynamicSoftMarginLoss(Builder b) {
        super("DynamicSoftMarginLoss");
        this.minVal = b.minVal;
        this.numBins = b.numBins;
        this.delta = 2 * Math.abs(b.minVal) / b.numBins;
        this.momentum = b.momentum;
        this.miner = b.miner;
        this.stored = new double[b.numBins];
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        NDArray y = Inputs.labels("labels", labels, b);
        NDArray x = differences(embeddings, y);
        if (x == null) {
            return nothingSelected(embeddings);
        }
        return weigh(x);
    }

    /**
     * The loss of the queries against a reference set (PML's {@code ref_emb}, {@code ref_labels}):
     * the triplets (a, p, n) of a query a, a reference p of its label and a reference n of another
     * (nothing excluded), or the miner's of queries against references. Reads the stored histogram
     * and leaves it alone, as {@link #compute(NDArray, NDArray)}.
     */
    @Override
    public NDArray compute(NDArray embeddings, NDArray labels, NDArray refEmbeddings, NDArray refLabels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        long m = Inputs.references("embeddings", embeddings, "refEmbeddings", refEmbeddings);
        NDArray y = Inputs.labels("labels", labels, b);
        NDArray yRef = Inputs.labels("refLabels", refLabels, m);
        NDArray mat = distance.matrix(embeddings, refEmbeddings);
        PairRelation rel = PairRelation.of(y, yRef);
        NDArray x = miner != null ? mined(mat, miner.mine(embeddings, y, refEmbeddings, yRef))
                : all(mat, rel.positive(), rel.negative());
        return x == null ? nothingSelected(mat) : weigh(x);
    }

    /**
     * The loss of the queries against references under a relation: every triplet of a query, one
     * of its positive references and one of its negative references (or the miner's); {@code
     * compute(x, x, PairRelation.ofLabels(y))} is {@code compute(x, y)}. The stored histogram is
     * read, not changed.
     */
    @Override
    public NDArray compute(NDArray embeddings, NDArray refEmbeddings, PairRelation relation) {
        long b = Inputs.embeddings("embeddings", embeddings);
        long m = Inputs.references("embeddings", embeddings, "refEmbeddings", refEmbeddings);
        if (relation == null) {
            throw new IllegalArgumentException("relation must be a " + b + " x " + m + " PairRelation, got null");
        }
        relation.check(b, m);
        NDArray mat = embeddings == refEmbeddings ? distance.matrix(embeddings)
                : distance.matrix(embeddings, refEmbeddings);
        NDArray x = miner != null ? mined(mat, miner.mine(embeddings, refEmbeddings, relation))
                : all(mat, relation.positive(), relation.negative());
        return x == null ? nothingSelected(mat) : weigh(x);
    }

    /** The mean of CDF(h)[bin(x)] x, h the batch's histogram of x mixed with the stored one. */
    private NDArray weigh(NDArray x) {
        NDArray h = histogram(x);
        if (filled) {
            NDArray old = x.getManager().create(stored).toType(x.getDataType(), false)
                    .toDevice(x.getDevice(), false);
            h = NDMath.mul(h, momentum).add(NDMath.mul(old, 1 - momentum));
        }
        NDArray cdf = h.cumSum(0);
        NDArray weights = cdf.get(new NDIndex("{}", clampedPosition(x).stopGradient().floor()
                .toType(DataType.INT64, false)));
        return reduce(new MeanReducer(), LossTerms.of(weights.mul(x)));
    }

    /**
     * Moves the stored histogram to this step's: \( \beta h_{batch} + (1 - \beta) h_{stored} \),
     * or \( h_{batch} \) when nothing is stored yet, computed without gradient from the step's
     * embeddings (predictions entry 0) and labels (entry 0). A step against a reference set passes
     * the references as the second entries (predictions [embeddings, refEmbeddings], labels
     * [labels, refLabels]): the histogram is then that of the queries-against-references triplets
     * the step's loss weighed. Nothing for a batch without a triplet.
     */
    @Override
    public void afterStep(NDList labels, NDList predictions) {
        if (predictions == null || predictions.isEmpty() || labels == null || labels.isEmpty()) {
            throw new IllegalArgumentException(getName() + ": afterStep needs the step's labels and embeddings");
        }
        double[] batch;
        try (NDScope scope = new NDScope()) {
            NDArray emb = predictions.head().stopGradient();
            long b = Inputs.embeddings("embeddings", emb);
            NDArray y = Inputs.labels("labels", labels.head(), b);
            NDArray x;
            if (predictions.size() >= 2 && labels.size() >= 2) {
                NDArray ref = predictions.get(1).stopGradient();
                long m = Inputs.references("embeddings", emb, "refEmbeddings", ref);
                NDArray yRef = Inputs.labels("refLabels", labels.get(1), m);
                NDArray mat = distance.matrix(emb, ref);
                PairRelation rel = PairRelation.of(y, yRef);
                x = miner != null ? mined(mat, miner.mine(emb, y, ref, yRef))
                        : all(mat, rel.positive(), rel.negative());
            } else {
                x = differences(emb, y);
            }
            if (x == null) {
                return;
            }
            batch = histogram(x).toType(DataType.FLOAT64, false).toDoubleArray();
        }
        for (int i = 0; i < numBins; i++) {
            stored[i] = filled ? momentum * batch[i] + (1 - momentum) * stored[i] : batch[i];
        }
        filled = true;
    }

    /** The stored histogram (zeros before the first step), a copy. */
    public double[] storedHistogram() {
        return stored.clone();
    }

    /** Whether a step has stored a histogram. */
    public boolean hasStoredHistogram() {
        return filled;
    }

    /**
     * [the stored histogram (FLOAT64, R entries), whether it is filled (INT64 scalar, 0 or 1)]:
     * arrays of the loss's own manager, valid until the next call; do not close them.
     */
    @Override
    public NDList saveState() {
        if (stateManager == null) {
            stateManager = NDManager.newBaseManager();
        }
        if (saved != null) {
            saved.close();
        }
        NDArray hist = stateManager.create(stored.clone());
        hist.setName("histogram");
        NDArray isFilled = stateManager.create(filled ? 1L : 0L);
        isFilled.setName("filled");
        saved = new NDList(hist, isFilled);
        return saved;
    }

    @Override
    public void loadState(NDList state, NDManager manager) {
        if (state == null || state.size() != 2) {
            throw new IllegalArgumentException(getName() + ": state must hold [histogram, filled], got "
                    + (state == null ? "none" : state.size() + " array(s)"));
        }
        NDArray hist = state.get(0);
        NDArray isFilled = state.get(1);
        if (hist.getDataType() != DataType.FLOAT64 || !hist.getShape().equals(new Shape(numBins))) {
            throw new IllegalArgumentException(getName() + ": the saved histogram must be FLOAT64 of shape ("
                    + numBins + "), got " + hist.getDataType() + " " + hist.getShape());
        }
        if (isFilled.getDataType() != DataType.INT64 || isFilled.size() != 1) {
            throw new IllegalArgumentException(getName() + ": the saved 'filled' flag must be an INT64 scalar, got "
                    + isFilled.getDataType() + " " + isFilled.getShape());
        }
        long flag = isFilled.toLongArray()[0];
        if (flag != 0 && flag != 1) {
            throw new IllegalArgumentException(getName() + ": the saved 'filled' flag must be 0 or 1, got " + flag);
        }
        double[] values = hist.toDoubleArray();
        System.arraycopy(values, 0, stored, 0, numBins);
        filled = flag == 1;
        stateManager = manager;
        saved = null;
    }

    /**
     * The differences \( d_{ap} - d_{an} \) of every triplet, or of the miner's (1-D), or null
     * without a triplet.
     */
    private NDArray differences(NDArray embeddings, NDArray labels) {
        NDArray mat = distance.matrix(embeddings);
        if (miner != null) {
            return mined(mat, miner.mine(embeddings, labels));
        }
        PairMasks masks = PairMasks.of(labels);
        return all(mat, masks.positive(), masks.negative());
    }

    /** \( d_{ap} - d_{an} \) of mined triplets, or null for none. */
    private static NDArray mined(NDArray mat, TripletIndices t) {
        if (t.size() == 0) {
            return null;
        }
        return NDMath.takePairs(mat, t.anchors(), t.positives()).sub(NDMath.takePairs(mat, t.anchors(), t.negatives()));
    }

    /** \( d_{ap} - d_{an} \) of every triplet of a B x M relation (1-D), or null for none. */
    private static NDArray all(NDArray mat, NDArray positive, NDArray negative) {
        NDArray pairs = positive.nonzero().toType(DataType.INT64, false);
        if (pairs.getShape().get(0) == 0) {
            return null;
        }
        NDArray a = pairs.get(new NDIndex(":, 0"));
        NDArray p = pairs.get(new NDIndex(":, 1"));
        NDArray valid = NDMath.takeRows(negative, a);
        if (NDMath.count(valid) == 0) {
            return null;
        }
        NDArray ap = NDMath.takePairs(mat, a, p).reshape(-1, 1);
        return ap.sub(NDMath.takeRows(mat, a)).booleanMask(valid);
    }

    /** \( (x - v_{min}) / \Delta \) clamped to [0, R - 1]. */
    private NDArray clampedPosition(NDArray x) {
        return NDMath.div(x.sub(NDMath.constant(x, minVal)), delta).clip(0, numBins - 1);
    }

    /** The normalized R-bin histogram of x, differentiable in x. */
    private NDArray histogram(NDArray x) {
        NDArray t = clampedPosition(x);
        NDArray lower = t.stopGradient().floor().minimum(numBins - 2.0).toType(DataType.INT64, false);
        NDArray f = t.sub(lower.toType(t.getDataType(), false)).reshape(-1, 1);
        NDArray toLower = lower.oneHot(numBins, t.getDataType());
        NDArray toUpper = lower.add(1L).oneHot(numBins, t.getDataType());
        NDArray one = NDMath.constant(t, 1.0);
        NDArray raw = toLower.mul(one.sub(f)).add(toUpper.mul(f)).sum(new int[] {0});
        return raw.div(raw.sum());
    }

    @Override
    public String toString() {
        return "DynamicSoftMarginLoss(minVal=" + minVal + ", numBins=" + numBins + ", momentum=" + momentum
                + (miner == null ? "" : ", miner=" + miner) + ")";
    }

    /** Builder of {@link DynamicSoftMarginLoss}. */
    public static final class Builder {
        private double minVal = DEFAULT_MIN_VAL;
        private int numBins = DEFAULT_NUM_BINS;
        private double momentum = DEFAULT_MOMENTUM;
        private TripletMiner miner;

        private Builder() {}

        /**
         * The triplets of a miner instead of all triplets (PML's {@code indices_tuple}); {@link
         * #afterStep} mines again on the step's embeddings, so the miner must be deterministic
         * (default: all triplets).
         */
        public Builder optMiner(TripletMiner miner) {
            this.miner = java.util.Objects.requireNonNull(miner, "miner");
            return this;
        }

        /**
         * The lower end of the histogram, {@code < 0}: it spans [minVal, -minVal] (default {@value
         * #DEFAULT_MIN_VAL}).
         */
        public Builder optMinVal(double minVal) {
            if (!(minVal < 0) || Double.isInfinite(minVal)) {
                throw new IllegalArgumentException("minVal must be < 0 and finite, got " + minVal);
            }
            this.minVal = minVal;
            return this;
        }

        /** The number of bins R, {@code >= 2} (default {@value #DEFAULT_NUM_BINS}). */
        public Builder optNumBins(int numBins) {
            if (numBins < 2) {
                throw new IllegalArgumentException("numBins must be >= 2, got " + numBins);
            }
            this.numBins = numBins;
            return this;
        }

        /** The weight of each batch's histogram, in (0, 1] (default {@value #DEFAULT_MOMENTUM}). */
        public Builder optMomentum(double momentum) {
            if (!(momentum > 0 && momentum <= 1)) {
                throw new IllegalArgumentException("momentum must be in (0, 1], got " + momentum);
            }
            this.momentum = momentum;
            return this;
        }

        /** The loss. */
        public DynamicSoftMarginLoss build() {
            return new DynamicSoftMarginLoss(this);
        }
    }
}
