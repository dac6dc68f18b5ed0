package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;
import org.metric4j.schedule.StepUpdate;

/**
 * Center loss (Wen et al. 2016, "A Discriminative Feature Learning Approach for Deep Face
 * Recognition"): \( L_C = \frac{1}{2B}\sum_i \|x_i - c_{y_i}\|^2 \) with class centers C x D
 * (a {@link org.metric4j.head.ClassCenters} block). Used jointly with softmax,
 * \( L = L_S + \lambda L_C \) ({@link JointLoss}); the centers either learn through this loss's
 * gradient or move by the paper's rule, {@link CenterUpdate}.
 *
 * <p>{@link #evaluate} takes predictions [B x D embeddings, C x D centers]. Built with a rule,
 * the loss moves the centers by it once per training step in {@link #afterStep} (called by a
 * {@link org.metric4j.schedule.StepListener} under a DJL {@code Trainer}), never in {@code
 * evaluate}; the centers parameter should then be frozen ({@code centers().freeze(true)}) so that
 * the optimizer does not move them as well.
 */
public final class CenterLoss extends ClassificationLoss implements StepUpdate {

    private final CenterUpdate rule;

    /** The loss; the centers learn through its gradient. */
    public CenterLoss() {
        this(null);
    }

    /**
     * The loss whose centers move by a rule once per step.
     *
     * @param rule the update rule, or null for none
     */
    public CenterLoss(CenterUpdate rule) {
        super("CenterLoss");
        this.rule = rule;
    }

    /** The update rule, or null. */
    public CenterUpdate rule() {
        return rule;
    }

    /**
     * Moves the centers (predictions entry 1, updated in place) toward the step's embeddings
     * (entry 0) by the rule; nothing without a rule.
     */
    @Override
    public void afterStep(NDList labels, NDList predictions) {
        if (rule == null) {
            return;
        }
        if (predictions == null || predictions.size() < 2) {
            throw new IllegalArgumentException(
                    getName() + ": predictions must hold [embeddings, centers]");
        }
        try (NDScope scope = new NDScope()) {
            rule.applyInPlace(predictions.get(1), predictions.get(0), labelsOf(labels));
        }
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        if (predictions == null || predictions.size() < 2) {
            throw new IllegalArgumentException(
                    getName() + ": predictions must hold [embeddings, centers]");
        }
        return compute(predictions.get(0), predictions.get(1), labelsOf(labels));
    }

    /**
     * The loss.
     *
     * @param embeddings B x D
     * @param centers C x D
     * @param labels B class ids in [0, C)
     * @return \( \frac{1}{2B}\sum_i \|x_i - c_{y_i}\|^2 \)
     */
    public NDArray compute(NDArray embeddings, NDArray centers, NDArray labels) {
        long b = Inputs.embeddings("embeddings", embeddings);
        Inputs.embeddings("centers", centers);
        Inputs.sameWidth("embeddings", embeddings, "centers", centers);
        NDArray y = Inputs.classLabels("labels", labels, b, centers.getShape().get(0));
        NDArray own = NDMath.takeRows(centers, y);
        return NDMath.times(NDMath.total(embeddings.sub(own).square()), 0.5 / b);
    }

    @Override
    public String toString() {
        return rule == null ? "CenterLoss" : "CenterLoss(" + rule + ")";
    }
}
