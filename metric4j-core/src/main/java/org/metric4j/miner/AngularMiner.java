package org.metric4j.miner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.metric4j.distance.PairRelation;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;

/**
 * Triplets whose angle at the negative exceeds a threshold (PML's {@code AngularMiner}; the angle
 * of the angular loss, Wang et al. 2017, "Deep Metric Learning with Angular Loss",
 * arXiv:1708.01682): of all triplets (a, p, n), those with
 * \( \arctan\big(\|x_a - x_p\| / (2 \|x_n - c\|)\big) > \alpha \), \( c = (x_a + x_p) / 2 \).
 *
 * <p>As PML 2.8.1 computes it: the norms are torch's {@code pairwise_distance}, \( \|u - v +
 * 10^{-6}\|_2 \) (the eps added to every component of the difference), on the embeddings as
 * given, not normalized (PML requires a normalizing L2 distance but its {@code pairwise_distance}
 * does not normalize). Memory is O(P x B) for P positive pairs, the differences taken in chunks.
 *
 * <p>Default (PML's): angle {@value #DEFAULT_ANGLE} radians (20 degrees).
 */
public final class AngularMiner implements TripletMiner {

    /** Default threshold angle in radians (20 degrees). */
    public static final double DEFAULT_ANGLE = 20 * (Math.PI / 180);
    /** The eps of torch's {@code pairwise_distance}, added to every component of the difference. */
    public static final double PAIRWISE_EPS = 1e-6;
    /** Elements of one chunk of differences (positive pairs x batch x dimension). */
    private static final long CHUNK_ELEMENTS = 1L << 22;

    private final double angle;

    private AngularMiner(Builder b) {
        this.angle = b.angle;
    }

    /** A builder with PML's default. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public TripletIndices mine(NDArray embeddings, NDArray labels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        return mine(embeddings, embeddings, PairRelation.ofLabels(Inputs.labels("labels", labels, b)));
    }

    @Override
    public TripletIndices mine(NDArray embeddings, NDArray labels, NDArray refEmbeddings, NDArray refLabels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        long m = Inputs.references("embeddings", embeddings, "refEmbeddings", refEmbeddings);
        return mine(embeddings, refEmbeddings, PairRelation.of(Inputs.labels("labels", labels, b),
                Inputs.labels("refLabels", refLabels, m)));
    }

    /**
     * {@inheritDoc} The anchor is a query, the positive and the negative are references: the
     * angle at the negative is measured between the reference n and the centre of the anchor and
     * its positive.
     */
    @Override
    public TripletIndices mine(NDArray embeddings, NDArray refEmbeddings, PairRelation relation) {
        long b = Inputs.embeddings("embeddings", embeddings);
        long m = Inputs.references("embeddings", embeddings, "refEmbeddings", refEmbeddings);
        if (relation == null) {
            throw new IllegalArgumentException("relation must be a " + b + " x " + m + " PairRelation, got null");
        }
        PairRelation masks = relation.check(b, m);
        NDArray x = embeddings.stopGradient();
        NDArray ref = refEmbeddings == embeddings ? x : refEmbeddings.stopGradient();
        NDArray pairs = masks.positive().nonzero().toType(DataType.INT64, false);
        long count = pairs.getShape().get(0);
        if (count == 0) {
            NDArray empty = x.getManager().zeros(new Shape(0), DataType.INT64, x.getDevice());
            return new TripletIndices(empty, empty, empty);
        }
        NDArray a = pairs.get(new NDIndex(":, 0"));
        NDArray p = pairs.get(new NDIndex(":, 1"));
        NDArray eps = NDMath.scalarLike(x, PAIRWISE_EPS);
        long d = x.getShape().get(1);
        long chunk = Math.max(1, CHUNK_ELEMENTS / Math.max(1, m * d));
        NDList wide = new NDList();
        for (long start = 0; start < count; start += chunk) {
            long end = Math.min(count, start + chunk);
            NDArray xa = x.get(a.get(start + ":" + end));
            NDArray xp = ref.get(p.get(start + ":" + end));
            NDArray ap = xa.sub(xp).add(eps).norm(new int[] {1}, true);               // Q x 1
            NDArray centers = NDMath.div(xa.add(xp), 2.0);                            // Q x D
            NDArray nc = ref.expandDims(0).sub(centers.expandDims(1)).add(eps)
                    .norm(new int[] {2});                                             // Q x M
            wide.add(ap.div(NDMath.mul(nc, 2.0)).atan().gt(angle));
        }
        NDArray keep = (wide.size() == 1 ? wide.head() : NDArrays.concat(wide, 0))
                .logicalAnd(NDMath.takeRows(masks.negative(), a));
        NDArray hits = keep.nonzero().toType(DataType.INT64, false);
        NDArray row = hits.get(new NDIndex(":, 0"));
        return new TripletIndices(
                a.get(new NDIndex("{}", row)),
                p.get(new NDIndex("{}", row)),
                hits.get(new NDIndex(":, 1")));
    }

    @Override
    public String toString() {
        return "AngularMiner(angle=" + angle + ")";
    }

    /** Builder of {@link AngularMiner}. */
    public static final class Builder {
        private double angle = DEFAULT_ANGLE;

        private Builder() {}

        /**
         * The threshold angle in radians, in [0, pi/2) (default {@value #DEFAULT_ANGLE}, 20
         * degrees; PML takes degrees).
         */
        public Builder optAngle(double radians) {
            if (!(radians >= 0 && radians < Math.PI / 2)) {
                throw new IllegalArgumentException("angle must be in [0, pi/2) radians, got " + radians
                        + (radians >= Math.PI / 2 && radians < 90 ? " (degrees?)" : ""));
            }
            this.angle = radians;
            return this;
        }

        /** The miner. */
        public AngularMiner build() {
            return new AngularMiner(this);
        }
    }
}
