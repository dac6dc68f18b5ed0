package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import org.metric4j.distance.LpDistance;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;

/**
 * P2SGrad (Zhang et al. 2019, "P2SGrad: Refined Gradients for Optimizing Deep Face Models",
 * arXiv:1905.02479): the mean squared error between the cosines of the embeddings to the class
 * weights and the one-hot targets, \( \frac{1}{BC} \sum_{i, j} (\cos\theta_{ij} - [j =
 * y_i])^2 \); as the paper shows (its Eq. 11), this gives the P2SGrad gradient of the cosines.
 *
 * <p>Weights in PML's layout: D x C, one column per class. As PML's {@code P2SGradLoss}, each
 * call first renormalizes the columns outside autograd with {@code torch.renorm(2, 1, 1e-5) *
 * 1e5}: a column w of norm n above 1e-5 becomes \( w / (n + 10^{-7}) \) (norm ~1 - 1e-7, not
 * exactly 1), a smaller one \( 10^5 w \). PML writes the result into its parameter; here the
 * caller's array is left as is and the gradient is that of the renormalized weights (passed
 * through unchanged, as for PML's parameter). Then \( \cos\theta = x W' / \|x\| \), clamped to
 * [-1, 1] (an all-zero embedding row gets the norm {@value #MIN_NORM} instead of a division by
 * zero, where PML gives NaN; its gradient is finite, of order 1 / {@value #MIN_NORM}).
 *
 * <p>{@link #evaluate} takes predictions [B x D embeddings, D x C weights].
 */
public final class P2SGradLoss extends ClassificationLoss {

    /** torch.renorm's max norm as PML calls it (then scaled back by its inverse). */
    static final double RENORM_MAX = 1e-5;
    /** torch.renorm's epsilon added to a column's norm. */
    static final double RENORM_EPS = 1e-7;
    /** Lower bound of an embedding row's norm. */
    public static final double MIN_NORM = 1e-12;

    /** The loss (it has no parameters of its own). */
    public P2SGradLoss() {
        super("P2SGradLoss");
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        return compute(ExplicitInputs.get(getName(), predictions, 0, "the B x D embeddings"),
                ExplicitInputs.get(getName(), predictions, 1, "the D x C class weights"), labelsOf(labels));
    }

    /**
     * The loss.
     *
     * @param embeddings B x D
     * @param weights D x C, one column per class
     * @param labels B class ids in [0, C)
     * @return the mean squared error, a scalar of the embeddings' dtype
     */
    public NDArray compute(NDArray embeddings, NDArray weights, NDArray labels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        if (weights.getShape().dimension() != 2
                || weights.getShape().get(0) != embeddings.getShape().get(1)) {
            throw new IllegalArgumentException("weights must be D x C with D = " + embeddings.getShape().get(1)
                    + " (one column per class), got shape " + weights.getShape());
        }
        long c = weights.getShape().get(1);
        NDArray y = Inputs.classLabels("labels", labels, b, c);
        NDArray w = renormalized(weights);
        NDArray norms = NDMath.maximum(LpDistance.safeSqrt(embeddings.square().sum(new int[] {1}, true)), MIN_NORM);
        NDArray cos = embeddings.matMul(w).div(norms).clip(-1, 1);
        NDArray target = y.oneHot((int) c).toType(cos.getDataType(), false);
        return cos.sub(target).square().mean();
    }

    /** W with its renormalized value and the identity gradient (PML's in-place renorm). */
    static NDArray renormalized(NDArray weights) {
        NDArray w = weights.stopGradient();
        NDArray n = w.norm(new int[] {0}, true);
        NDArray shrink = NDMath.constant(n, RENORM_MAX).div(n.add(RENORM_EPS));
        NDArray factor = NDArrays.where(n.gt(RENORM_MAX), shrink, n.onesLike());
        NDArray delta = NDMath.mul(w.mul(factor), 1 / RENORM_MAX).sub(w);
        return weights.add(delta.stopGradient());
    }

    @Override
    public String toString() {
        return "P2SGradLoss()";
    }
}
