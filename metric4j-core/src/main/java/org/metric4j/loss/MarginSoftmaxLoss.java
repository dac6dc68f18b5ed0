package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.metric4j.head.ClassScores;
import org.metric4j.math.Inputs;

/**
 * The template of the margin-based softmax losses (pytorch-metric-learning's {@code
 * LargeMarginSoftmaxLoss} hierarchy): from the cosines of a {@link
 * org.metric4j.head.CosineClassifier}, replace each row's target cosine by a margin-penalized
 * value \( \psi(\cos\theta_{y_i}) \), scale the logits, and take the softmax cross entropy.
 * Subclasses say only how the target is penalized ({@link #targetLogit}) and how logits are
 * scaled ({@link #scale}).
 */
public abstract class MarginSoftmaxLoss extends ClassificationLoss {

    /**
     * @param name the name in training logs
     */
    protected MarginSoftmaxLoss(String name) {
        super(name);
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        return compute(ClassScores.fromList(predictions), labelsOf(labels));
    }

    /**
     * The mean loss of a batch.
     *
     * @param scores the head's output (B x C cosines and norms)
     * @param labels B class ids in [0, C)
     * @return the loss, a scalar of the cosines' dtype
     */
    public NDArray compute(ClassScores scores, NDArray labels) {
        NDArray cos = scores.cosine();
        if (cos.getShape().dimension() != 2) {
            throw new IllegalArgumentException(
                    getName() + ": cosine must be B x C, got shape " + cos.getShape());
        }
        long b = cos.getShape().get(0);
        long c = cos.getShape().get(1);
        NDArray y = Inputs.classLabels("labels", labels, b, c).reshape(-1, 1);
        NDArray target = cos.gather(y, 1);
        NDArray modified = targetLogit(target, scores);
        // the target column replaced by scatter: one B x C array instead of a one-hot mask and
        // two B x C products (same values and gradients, fewer large temporaries; issue #3)
        NDArray logits = cos.scatter(y, modified, 1);
        return crossEntropy(scale(logits, scores), y.reshape(-1));
    }

    /**
     * The penalized target value from the B x 1 target cosines.
     *
     * @param targetCosine B x 1 cosines of each row's class
     * @param scores the whole head output (for norms)
     * @return B x 1 values that replace the target logits before scaling
     */
    protected abstract NDArray targetLogit(NDArray targetCosine, ClassScores scores);

    /**
     * Scales the B x C logits (default: unchanged).
     *
     * @param logits B x C logits
     * @param scores the head output (for norms)
     * @return the scaled logits
     */
    protected NDArray scale(NDArray logits, ClassScores scores) {
        return logits;
    }

    /** The angle of clamped cosines: acos never sees |cos| = 1, so its gradient stays finite. */
    static NDArray angle(NDArray cos) {
        return clamp(cos).acos();
    }

    /** Cosines clamped to [-1 + {@link #CLAMP_EPS}, 1 - {@link #CLAMP_EPS}]. */
    static NDArray clamp(NDArray cos) {
        return cos.clip(-1 + CLAMP_EPS, 1 - CLAMP_EPS);
    }

    /** Cosines are clamped to [-1 + eps, 1 - eps] before acos (InsightFace's 1e-7). */
    public static final double CLAMP_EPS = 1e-7;
}
