package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import org.metric4j.head.ClassScores;
import org.metric4j.math.NDMath;

/**
 * A-Softmax / SphereFace (Liu et al. 2017, arXiv:1704.08063): {@link LargeMarginSoftmaxLoss}
 * with normalized class weights, so logits are scaled by \( \|x\| \) only. PML's {@code
 * SphereFaceLoss}; annealing lambda as in the paper through {@link Builder#optLambda}.
 */
public final class SphereFaceLoss extends LargeMarginSoftmaxLoss {

    SphereFaceLoss(Builder b) {
        super("SphereFaceLoss", b);
    }

    /** A builder with PML's defaults (margin 4, scale 1, no annealing). */
    public static Builder builder() {
        return new Builder(true);
    }

    @Override
    protected NDArray scale(NDArray logits, ClassScores scores) {
        if (scores.embeddingNorms() == null) {
            throw new IllegalArgumentException(
                    getName() + " needs the embedding norms of the head (a CosineClassifier)");
        }
        return NDMath.mul(logits.mul(scores.embeddingNorms()), scaleFactor());
    }
}
