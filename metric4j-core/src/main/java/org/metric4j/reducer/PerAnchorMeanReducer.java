package org.metric4j.reducer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.metric4j.math.NDMath;

/**
 * The mean over anchors of each anchor's mean term: every anchor weighs the same whatever its
 * number of pairs or triplets. Anchors without a term are left out. Without anchor ids each row
 * is its own anchor.
 */
public final class PerAnchorMeanReducer implements Reducer {

    @Override
    public NDArray reduce(LossTerms terms) {
        NDArray anchorSum = terms.rowSums();
        NDArray anchorCount = terms.rowCounts();
        if (terms.rowAnchors() != null) {
            NDArray groups = terms.rowAnchors().toType(DataType.INT64, false)
                    .oneHot((int) terms.numAnchors(), anchorSum.getDataType())
                    .transpose();
            anchorSum = groups.matMul(anchorSum.reshape(-1, 1)).reshape(-1);
            anchorCount = groups.matMul(anchorCount.reshape(-1, 1)).reshape(-1);
        }
        NDArray present = anchorCount.gt(0.0).toType(anchorSum.getDataType(), false);
        NDArray perAnchor = anchorSum.div(anchorCount.maximum(1.0));
        return NDMath.scalar(NDMath.total(perAnchor).div(NDMath.total(present).maximum(1.0)));
    }

    @Override
    public String toString() {
        return "PerAnchorMeanReducer";
    }
}
