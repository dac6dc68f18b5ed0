package org.metric4j.reducer;

import ai.djl.ndarray.NDArray;
import org.metric4j.math.NDMath;

/**
 * The mean over the terms that are {@code > 0} (PML's {@code AvgNonZeroReducer}); 0 when none
 * is. Terms already satisfied by their margin do not dilute the loss.
 */
public final class AvgNonZeroReducer implements Reducer {

    @Override
    public NDArray reduce(LossTerms terms) {
        NDArray sum = NDMath.total(terms.rowPositiveSums());
        NDArray count = NDMath.total(terms.rowPositiveCounts());
        return NDMath.scalar(sum.div(count.maximum(1.0)));
    }

    @Override
    public String toString() {
        return "AvgNonZeroReducer";
    }
}
