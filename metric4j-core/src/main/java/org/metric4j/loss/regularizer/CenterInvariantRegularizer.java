package org.metric4j.loss.regularizer;

import ai.djl.ndarray.NDArray;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;
import org.metric4j.reducer.Reducer;

/**
 * Center-invariant loss (Wu et al. 2017, "Deep Face Recognition with Center Invariant Loss"; PML's
 * {@code CenterInvariantRegularizer}) on class weights, one per row: with \( n_c = \|w_c\|_2^2
 * \), the terms \( (n_c - \bar{n})^2 / 4 \), reduced by default to their mean. Keeps every class
 * center at the same norm so that no class dominates the softmax.
 */
public final class CenterInvariantRegularizer extends TermRegularizer {

    private CenterInvariantRegularizer(Reducer reducer) {
        super(reducer);
    }

    /** With PML's {@link MeanReducer}. */
    public static CenterInvariantRegularizer create() {
        return new CenterInvariantRegularizer(new MeanReducer());
    }

    /** With another reducer of the per-row terms. */
    public static CenterInvariantRegularizer create(Reducer reducer) {
        return new CenterInvariantRegularizer(reducer);
    }

    @Override
    LossTerms terms(NDArray rows) {
        NDArray squaredNorms = rows.square().sum(new int[] {1});
        NDArray deviations = squaredNorms.sub(squaredNorms.mean());
        return LossTerms.of(NDMath.div(deviations.square(), 4.0));
    }

    @Override
    public String toString() {
        return "CenterInvariantRegularizer(reducer=" + reducer() + ")";
    }
}
