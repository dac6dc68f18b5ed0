package org.metric4j.loss.regularizer;

import ai.djl.ndarray.NDArray;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;
import org.metric4j.reducer.Reducer;

/**
 * The absolute sum of each row, \( |\sum_d x_{id}| \), reduced by default to its mean (PML's
 * {@code ZeroMeanRegularizer}): pushes each embedding's components to sum, hence average, to 0.
 */
public final class ZeroMeanRegularizer extends TermRegularizer {

    private ZeroMeanRegularizer(Reducer reducer) {
        super(reducer);
    }

    /** With PML's {@link MeanReducer}. */
    public static ZeroMeanRegularizer create() {
        return new ZeroMeanRegularizer(new MeanReducer());
    }

    /** With another reducer of the per-row terms. */
    public static ZeroMeanRegularizer create(Reducer reducer) {
        return new ZeroMeanRegularizer(reducer);
    }

    @Override
    LossTerms terms(NDArray rows) {
        return LossTerms.of(rows.sum(new int[] {1}).abs());
    }

    @Override
    public String toString() {
        return "ZeroMeanRegularizer(reducer=" + reducer() + ")";
    }
}
