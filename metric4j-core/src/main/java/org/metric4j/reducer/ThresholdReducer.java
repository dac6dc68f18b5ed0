package org.metric4j.reducer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import org.metric4j.math.NDMath;

/**
 * The mean of the terms inside an open range (PML's {@code ThresholdReducer}): \( \frac{1}{|S|}
 * \sum_{t \in S} \ell_t \) with \( S = \{t : low \lt \ell_t \lt high\} \); 0 (connected to the graph)
 * when S is empty. Either bound may be absent, not both. {@link AvgNonZeroReducer} is the case
 * low = 0 without high.
 */
public final class ThresholdReducer implements Reducer {

    private final Double low;
    private final Double high;

    private ThresholdReducer(Builder b) {
        this.low = b.low;
        this.high = b.high;
    }

    /** A builder; set at least one of the bounds. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public NDArray reduce(LossTerms terms) {
        NDArray v = terms.values();
        if (v == null) {
            throw new IllegalArgumentException("ThresholdReducer needs the terms' values, got row aggregates");
        }
        NDArray keep = terms.mask() == null ? v.onesLike().toType(ai.djl.ndarray.types.DataType.BOOLEAN, false)
                : terms.mask();
        if (low != null) {
            keep = keep.logicalAnd(v.gt(NDMath.constant(v, low)));
        }
        if (high != null) {
            keep = keep.logicalAnd(v.lt(NDMath.constant(v, high)));
        }
        NDArray sum = NDMath.total(NDArrays.where(keep, v, v.zerosLike()));
        NDArray count = NDMath.total(NDMath.asFloat(keep, v));
        return NDMath.scalar(sum.div(NDMath.maximum(count, 1.0)));
    }

    @Override
    public boolean needsValues() {
        return true;
    }

    @Override
    public String toString() {
        return "ThresholdReducer(low=" + low + ", high=" + high + ")";
    }

    /** Builder of {@link ThresholdReducer}. */
    public static final class Builder {
        private Double low;
        private Double high;

        private Builder() {}

        /** Keep the terms strictly above {@code low} (default: no lower bound). */
        public Builder optLow(double low) {
            if (!Double.isFinite(low)) {
                throw new IllegalArgumentException("low must be finite, got " + low);
            }
            this.low = low;
            return this;
        }

        /** Keep the terms strictly below {@code high} (default: no upper bound). */
        public Builder optHigh(double high) {
            if (!Double.isFinite(high)) {
                throw new IllegalArgumentException("high must be finite, got " + high);
            }
            this.high = high;
            return this;
        }

        /** The reducer. */
        public ThresholdReducer build() {
            if (low == null && high == null) {
                throw new IllegalArgumentException("ThresholdReducer needs low or high, got neither");
            }
            return new ThresholdReducer(this);
        }
    }
}
