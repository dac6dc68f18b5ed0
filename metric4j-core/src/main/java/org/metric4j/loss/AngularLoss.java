package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import org.metric4j.distance.Distance;
import org.metric4j.distance.LpDistance;
import org.metric4j.distance.PairRelation;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;

/**
 * Angular loss (Wang et al. 2017, arXiv:1708.01682), N-pair form as in PML's {@code AngularLoss}:
 * for every positive pair (a, p) with a, p L2-normalized,
 * \( \log(1 + \sum_{n: y_n \ne y_a} e^{4\tan^2\alpha\,(x_a + x_p)^T x_n - 2(1 + \tan^2\alpha)\,
 * x_a^T x_p}) \), mean over positive pairs. As in PML the negatives x_n enter as given
 * (normalize the embeddings first if they are not).
 *
 * <p>The angle alpha is given in degrees, as in the paper and PML ({@link
 * Builder#optAlphaDegrees}, PML's {@code alpha=40}): default {@value #DEFAULT_ALPHA_DEGREES}
 * degrees (PML's and the paper's); it must lie in (0, 90). Against a reference set or a relation
 * ({@link ReferenceSetLoss}), a is a query, p and n are references. Memory: P x M for P positive
 * pairs.
 */
public final class AngularLoss extends MetricLoss implements ReferenceSetLoss {

    /** Default alpha, in degrees. */
    public static final double DEFAULT_ALPHA_DEGREES = 40;

    private final double alphaDegrees;
    private final Distance distance = LpDistance.euclidean();

    private AngularLoss(Builder b) {
        super("AngularLoss");
        this.alphaDegrees = b.alphaDegrees;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        return fromRelation(embeddings, embeddings, PairRelation.ofLabels(Inputs.labels("labels", labels, b)));
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray labels, NDArray refEmbeddings, NDArray refLabels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        long m = Inputs.references("embeddings", embeddings, "refEmbeddings", refEmbeddings);
        return fromRelation(embeddings, refEmbeddings, PairRelation.of(Inputs.labels("labels", labels, b),
                Inputs.labels("refLabels", refLabels, m)));
    }

    @Override
    public NDArray compute(NDArray embeddings, NDArray refEmbeddings, PairRelation relation) {
        long b = Inputs.embeddings("embeddings", embeddings);
        long m = Inputs.references("embeddings", embeddings, "refEmbeddings", refEmbeddings);
        if (relation == null) {
            throw new IllegalArgumentException("relation must be a " + b + " x " + m + " PairRelation, got null");
        }
        return fromRelation(embeddings, refEmbeddings, relation.check(b, m));
    }

    /** Per positive pair (query a, reference p), against the references n negative for a. */
    private NDArray fromRelation(NDArray embeddings, NDArray refs, PairRelation relation) {
        NDArray pairs = relation.positive().nonzero().toType(DataType.INT64, false);
        if (pairs.getShape().get(0) == 0 || !relation.negative().any().getBoolean()) {
            return nothingSelected(embeddings);
        }
        NDArray a = pairs.get(new NDIndex(":, 0"));
        NDArray p = pairs.get(new NDIndex(":, 1"));
        double tan = Math.tan(Math.toRadians(alphaDegrees));
        double sqTan = tan * tan;
        NDArray ua = NDMath.takeRows(distance.normalize(embeddings), a);
        NDArray up = NDMath.takeRows(distance.normalize(refs), p);
        NDArray apDot = ua.mul(up).sum(new int[] {1}, true);
        NDArray sum = ua.add(up).matMul(refs.transpose());
        NDArray logits = NDMath.mul(sum, 4 * sqTan).sub(NDMath.mul(apDot, 2 * (1 + sqTan)));
        NDArray perPair = NDMath.logOnePlusSumExp(logits, NDMath.takeRows(relation.negative(), a), 1);
        return reduce(new MeanReducer(), LossTerms.of(perPair));
    }

    @Override
    public String toString() {
        return "AngularLoss(alphaDegrees=" + alphaDegrees + ")";
    }

    /** Builder of {@link AngularLoss}. */
    public static final class Builder {
        private double alphaDegrees = DEFAULT_ALPHA_DEGREES;

        private Builder() {}

        /** The angle alpha in degrees, in (0, 90) (default {@value #DEFAULT_ALPHA_DEGREES}). */
        public Builder optAlphaDegrees(double alphaDegrees) {
            if (!(alphaDegrees > 0 && alphaDegrees < 90)) {
                throw new IllegalArgumentException(
                        "alphaDegrees must be in (0, 90) degrees, got " + alphaDegrees);
            }
            this.alphaDegrees = alphaDegrees;
            return this;
        }

        /** The loss. */
        public AngularLoss build() {
            return new AngularLoss(this);
        }
    }
}
