package org.metric4j.reducer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import org.metric4j.math.NDMath;

/**
 * The sum of the terms divided by a number the loss supplies (PML's {@code DivisorReducer}):
 * \( \sum_t \ell_t / d \); 0 (connected to the graph) when d = 0. Only losses that supply a
 * divisor ({@link LossTerms#withDivisor}) can use it: in PML MarginLoss (active positive plus
 * active negative terms), ProxyAnchorLoss and SparseCentersRegularizer.
 */
public final class DivisorReducer implements Reducer {

    @Override
    public NDArray reduce(LossTerms terms) {
        NDArray divisor = terms.divisor();
        if (divisor == null) {
            throw new IllegalArgumentException("DivisorReducer needs a divisor from the loss"
                    + " (LossTerms.withDivisor), got terms '" + terms.name() + "' without one");
        }
        NDArray sum = NDMath.total(terms.rowSums());
        NDArray d = divisor.reshape(1).toType(sum.getDataType(), false);
        NDArray nonZero = d.neq(NDMath.constant(d, 0.0));
        NDArray safe = NDArrays.where(nonZero, d, d.onesLike());
        NDArray out = NDArrays.where(nonZero, sum.div(safe), NDMath.zeroLoss(sum).reshape(1));
        return NDMath.scalar(out);
    }

    @Override
    public String toString() {
        return "DivisorReducer";
    }
}
