package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.math.Inputs;

/**
 * The center update rule of Wen et al. 2016 (eq. 4): for each class j of the batch,
 * \( \Delta c_j = \frac{\sum_{i: y_i = j} (c_j - x_i)}{1 + n_j} \), then
 * \( c_j \leftarrow c_j - \alpha \Delta c_j \); classes absent from the batch are unchanged. The
 * rate alpha in (0, 1] makes the centers a damped running mean of their class's features.
 */
public final class CenterUpdate {

    /** Default rate (the paper's experiments use 0.5). */
    public static final double DEFAULT_ALPHA = 0.5;

    private final double alpha;

    /** The rule with rate {@value #DEFAULT_ALPHA}. */
    public CenterUpdate() {
        this(DEFAULT_ALPHA);
    }

    /** The rule with rate alpha in (0, 1]. */
    public CenterUpdate(double alpha) {
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1], got " + alpha);
        }
        this.alpha = alpha;
    }

    /**
     * The updated centers (a new array; no gradient flows through it).
     *
     * @param centers C x D
     * @param embeddings B x D
     * @param labels B class ids in [0, C)
     * @return the new C x D centers
     */
    public NDArray apply(NDArray centers, NDArray embeddings, NDArray labels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        Inputs.embeddings("centers", centers);
        Inputs.sameWidth("centers", centers, "embeddings", embeddings);
        long c = centers.getShape().get(0);
        NDArray y = Inputs.classLabels("labels", labels, b, c);
        NDArray cs = centers.stopGradient();
        NDArray x = embeddings.stopGradient();
        NDArray oneHot = y.oneHot((int) c, cs.getDataType());
        NDArray counts = oneHot.sum(new int[] {0}).reshape(-1, 1);
        NDArray sums = oneHot.transpose().matMul(x);
        NDArray delta = cs.mul(counts).sub(sums).div(counts.add(1.0));
        return cs.sub(delta.mul(alpha));
    }

    /** In-place update of a centers array (a frozen parameter's value). */
    public void applyInPlace(NDArray centers, NDArray embeddings, NDArray labels) {
        NDArray updated = apply(centers, embeddings, labels);
        centers.set(updated.toType(centers.getDataType(), false).toByteBuffer());
        updated.close();
    }

    @Override
    public String toString() {
        return "CenterUpdate(alpha=" + alpha + ")";
    }
}
