package org.metric4j.reducer;

import ai.djl.ndarray.NDArray;
import org.metric4j.math.NDMath;
import ai.djl.ndarray.types.DataType;

/**
 * The mean over anchors of each anchor's mean term: every anchor weighs the same whatever its
 * number of pairs or triplets. Anchors without a term are left out. Terms without anchor ids are
 * grouped by their first axis (row i belongs to anchor i).
 */
public final class PerAnchorMeanReducer implements Reducer {

    @Override
    public NDArray reduce(LossTerms terms) {
        NDArray selected = terms.selected();
        NDArray maskValues = terms.maskAsValues();
        long rows = selected.getShape().get(0);
        NDArray rowSum = selected.reshape(rows, -1).sum(new int[] {1});
        NDArray rowCount = maskValues.reshape(rows, -1).sum(new int[] {1});
        NDArray anchorSum = rowSum;
        NDArray anchorCount = rowCount;
        if (terms.rowAnchors() != null) {
            NDArray groups = terms.rowAnchors().toType(DataType.INT64, false)
                    .oneHot((int) terms.numAnchors(), selected.getDataType())
                    .transpose();
            anchorSum = groups.matMul(rowSum.reshape(-1, 1)).reshape(-1);
            anchorCount = groups.matMul(rowCount.reshape(-1, 1)).reshape(-1);
        }
        NDArray present = anchorCount.gt(0.0).toType(selected.getDataType(), false);
        NDArray perAnchor = anchorSum.div(anchorCount.maximum(1.0));
        return NDMath.scalar(NDMath.total(perAnchor).div(NDMath.total(present).maximum(1.0)));
    }

    @Override
    public String toString() {
        return "PerAnchorMeanReducer";
    }
}
