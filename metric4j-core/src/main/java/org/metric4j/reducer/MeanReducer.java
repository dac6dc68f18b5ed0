package org.metric4j.reducer;

import ai.djl.ndarray.NDArray;
import org.metric4j.math.NDMath;

/** The mean over all terms (PML's {@code MeanReducer}); 0 when there is none. */
public final class MeanReducer implements Reducer {

    @Override
    public NDArray reduce(LossTerms terms) {
        NDArray sum = NDMath.total(terms.rowSums());
        NDArray count = NDMath.total(terms.rowCounts());
        return NDMath.scalar(sum.div(count.maximum(1.0)));
    }

    @Override
    public String toString() {
        return "MeanReducer";
    }
}
