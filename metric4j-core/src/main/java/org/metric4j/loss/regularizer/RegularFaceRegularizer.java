package org.metric4j.loss.regularizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.math.NDMath;
import org.metric4j.reducer.LossTerms;
import org.metric4j.reducer.MeanReducer;
import org.metric4j.reducer.Reducer;

/**
 * RegularFace (Zhao et al. 2019, "RegularFace: Deep Face Recognition via Exclusive
 * Regularization"; PML's {@code RegularFaceRegularizer}) on class weights, one per row: per class
 * the cosine to its nearest other class, \( r_c = \cos(w_c, w_{j^*}) \) with \( j^* =
 * \arg\max_{j \ne c} \cos(w_c, w_j) \) (the index chosen without gradient), reduced by default
 * to the mean. Spreads the class centers apart. With a single class its own cosine (1) is taken,
 * as in PML.
 */
public final class RegularFaceRegularizer extends TermRegularizer {

    private RegularFaceRegularizer(Reducer reducer) {
        super(reducer);
    }

    /** With PML's {@link MeanReducer}. */
    public static RegularFaceRegularizer create() {
        return new RegularFaceRegularizer(new MeanReducer());
    }

    /** With another reducer of the per-class terms. */
    public static RegularFaceRegularizer create(Reducer reducer) {
        return new RegularFaceRegularizer(reducer);
    }

    @Override
    LossTerms terms(NDArray rows) {
        NDArray cos = CosineSimilarity.create().matrix(rows);
        long c = cos.getShape().get(0);
        NDArray fixed = cos.stopGradient();
        NDArray diagonal = rows.getManager().eye((int) c).toType(DataType.BOOLEAN, false)
                .toDevice(rows.getDevice(), false);
        NDArray others = NDArrays.where(diagonal, fixed.onesLike().mul(Double.NEGATIVE_INFINITY), fixed);
        NDArray nearest = others.argMax(1).toType(DataType.INT64, false);
        NDArray classes = rows.getManager().arange(c).toType(DataType.INT64, false).toDevice(rows.getDevice(), false);
        return LossTerms.of(NDMath.takePairs(cos, classes, nearest));
    }

    @Override
    public String toString() {
        return "RegularFaceRegularizer(reducer=" + reducer() + ")";
    }
}
