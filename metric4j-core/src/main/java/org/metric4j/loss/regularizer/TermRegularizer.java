package org.metric4j.loss.regularizer;

import ai.djl.ndarray.NDArray;
import java.util.Objects;
import org.metric4j.math.Inputs;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.Reducer;

/** A regularizer that computes per-row (or per-pair) terms and reduces them with its reducer. */
abstract class TermRegularizer implements Regularizer {

    private final Reducer reducer;

    TermRegularizer(Reducer reducer) {
        this.reducer = Objects.requireNonNull(reducer, "reducer");
    }

    @Override
    public final NDArray compute(NDArray rows) {
        Inputs.embeddings("rows", rows);
        return reducer.reduce(terms(rows));
    }

    /** The reducer of the terms. */
    public final Reducer reducer() {
        return reducer;
    }

    /** The unreduced terms of the rows. */
    abstract LossTerms terms(NDArray rows);
}
