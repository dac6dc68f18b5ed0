package org.metric4j.loss.regularizer;

import ai.djl.ndarray.NDArray;
import java.util.Objects;
import org.metric4j.distance.LpDistance;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;
import org.metric4j.reducer.Reducer;

/**
 * The Lp norm of each row raised to a power, \( \|x_i\|_p^{power} \), reduced by default to its
 * mean (PML's {@code LpRegularizer}): with p = 2, power = 2 the L2 weight decay of the rows.
 *
 * <p>Defaults (PML): p {@value #DEFAULT_P}, power {@value #DEFAULT_POWER}, {@link MeanReducer}.
 * The norm has gradient 0 at a zero row.
 */
public final class LpRegularizer extends TermRegularizer {

    /** Default order of the norm. */
    public static final double DEFAULT_P = 2;
    /** Default power of the norm. */
    public static final double DEFAULT_POWER = 1;

    private final double p;
    private final double power;

    private LpRegularizer(Builder b) {
        super(b.reducer);
        this.p = b.p;
        this.power = b.power;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    LossTerms terms(NDArray rows) {
        NDArray norms = LpDistance.norms(rows, p, 1);
        return LossTerms.of(power == 1 ? norms : LpDistance.safePow(norms, power));
    }

    @Override
    public String toString() {
        return "LpRegularizer(p=" + p + ", power=" + power + ", reducer=" + reducer() + ")";
    }

    /** Builder of {@link LpRegularizer}. */
    public static final class Builder {
        private double p = DEFAULT_P;
        private double power = DEFAULT_POWER;
        private Reducer reducer = new MeanReducer();

        private Builder() {}

        /** The order p {@code > 0} of the norm (default {@value #DEFAULT_P}). */
        public Builder optP(double p) {
            if (!(p > 0) || !Double.isFinite(p)) {
                throw new IllegalArgumentException("p must be a finite number > 0, got " + p);
            }
            this.p = p;
            return this;
        }

        /** The power {@code > 0} of the norm (default {@value #DEFAULT_POWER}). */
        public Builder optPower(double power) {
            if (!(power > 0) || !Double.isFinite(power)) {
                throw new IllegalArgumentException("power must be a finite number > 0, got " + power);
            }
            this.power = power;
            return this;
        }

        /** The reducer of the per-row terms (default {@link MeanReducer}). */
        public Builder optReducer(Reducer reducer) {
            this.reducer = Objects.requireNonNull(reducer, "reducer");
            return this;
        }

        /** The regularizer. */
        public LpRegularizer build() {
            return new LpRegularizer(this);
        }
    }
}
