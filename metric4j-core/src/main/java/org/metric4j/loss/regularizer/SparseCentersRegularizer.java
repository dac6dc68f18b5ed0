package org.metric4j.loss.regularizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.Objects;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.distance.LpDistance;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.DivisorReducer;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.Reducer;

/**
 * SoftTriple's center regularizer (Qian et al. 2019, arXiv:1909.05235, eq. 12; PML's {@code
 * SparseCentersRegularizer}) on the C K centers, row {@code c*K + j} = center j of class c: for
 * every pair t {@code <} t' of centers of one class \( \sqrt{2 - \min(2 \cos(w_t, w_{t'}), 2)} \)
 * (the L2 distance of the normalized centers), summed and divided by \( 2 \cdot \#pairs = C K
 * (K - 1) \) ({@link DivisorReducer}, the paper's normalization). Rewards merging redundant centers
 * of a class. PML adds the smallest normal number of the dtype under the root, which does not
 * change a float64 or float32 value; here the root has gradient 0 (not infinity) at coinciding
 * centers.
 */
public final class SparseCentersRegularizer extends TermRegularizer {

    private final int numClasses;
    private final int centersPerClass;

    private SparseCentersRegularizer(Builder b) {
        super(b.reducer);
        this.numClasses = b.numClasses;
        this.centersPerClass = b.centersPerClass;
    }

    /** A builder; the class count and centers per class are required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    LossTerms terms(NDArray rows) {
        long n = (long) numClasses * centersPerClass;
        if (rows.getShape().get(0) != n) {
            throw new IllegalArgumentException("rows must be the numClasses x centersPerClass = " + n
                    + " centers, got " + rows.getShape().get(0));
        }
        NDArray sim = CosineSimilarity.create().matrix(rows);
        long[] classOf = new long[(int) n];
        for (int t = 0; t < n; t++) {
            classOf[t] = t / centersPerClass;
        }
        NDArray cls = rows.getManager().create(classOf).toDevice(rows.getDevice(), false);
        NDArray index = rows.getManager().arange(n).toType(DataType.INT64, false).toDevice(rows.getDevice(), false);
        // same class, t < t' (PML's upper-triangular blocks)
        NDArray mask = cls.reshape(-1, 1).eq(cls.reshape(1, -1))
                .logicalAnd(index.reshape(-1, 1).lt(index.reshape(1, -1)));
        NDArray pairs = sim.get(new NDIndex().addBooleanIndex(mask));
        NDArray clamped = NDMath.minimum(NDMath.mul(pairs, 2.0), 2.0);
        NDArray reg = LpDistance.safeSqrt(clamped.neg().add(NDMath.constant(clamped, 2.0)));
        long count = (long) numClasses * centersPerClass * (centersPerClass - 1) / 2;
        return LossTerms.of(reg).withDivisor(NDMath.constant(reg, 2.0 * count));
    }

    @Override
    public String toString() {
        return "SparseCentersRegularizer(numClasses=" + numClasses + ", centersPerClass="
                + centersPerClass + ", reducer=" + reducer() + ")";
    }

    /** Builder of {@link SparseCentersRegularizer}. */
    public static final class Builder {
        private int numClasses;
        private int centersPerClass;
        private Reducer reducer = new DivisorReducer();

        private Builder() {}

        /** The number of classes C, {@code >= 1} (required). */
        public Builder setNumClasses(int numClasses) {
            Inputs.atLeast("numClasses", numClasses, 1);
            this.numClasses = numClasses;
            return this;
        }

        /** The centers per class K, {@code >= 2} (required). */
        public Builder setCentersPerClass(int centersPerClass) {
            if (centersPerClass < 2) {
                throw new IllegalArgumentException("centersPerClass must be >= 2 (pairs of centers"
                        + " of one class), got " + centersPerClass);
            }
            this.centersPerClass = centersPerClass;
            return this;
        }

        /** The reducer of the per-pair terms (default {@link DivisorReducer}). */
        public Builder optReducer(Reducer reducer) {
            this.reducer = Objects.requireNonNull(reducer, "reducer");
            return this;
        }

        /** The regularizer. */
        public SparseCentersRegularizer build() {
            if (numClasses == 0 || centersPerClass == 0) {
                throw new IllegalArgumentException("numClasses and centersPerClass are required, got "
                        + numClasses + " and " + centersPerClass);
            }
            if ((long) numClasses * centersPerClass > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("numClasses x centersPerClass must fit an int, got "
                        + (long) numClasses * centersPerClass);
            }
            return new SparseCentersRegularizer(this);
        }
    }
}
