package org.metric4j.reducer;

import ai.djl.ndarray.NDArray;
import org.metric4j.math.NDMath;

/** The sum over all terms. */
public final class SumReducer implements Reducer {

    @Override
    public NDArray reduce(LossTerms terms) {
        return NDMath.scalar(NDMath.total(terms.rowSums()));
    }

    @Override
    public String toString() {
        return "SumReducer";
    }
}
