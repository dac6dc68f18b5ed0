package org.metric4j.schedule;

import ai.djl.ndarray.NDList;

/**
 * State that a loss or head changes once per training step (class centers moved by a rule, a
 * memory queue, a counter), through this hook and never inside {@code evaluate}: a DJL {@code
 * Trainer} evaluates a loss a second time to log it, so state changed in {@code evaluate} would
 * change twice per step. A {@link StepListener} calls the hook once per step.
 */
@FunctionalInterface
public interface StepUpdate {

    /**
     * Called once per training step, after the backward pass and before the optimizer step, with
     * the step's labels and the model's predictions (the lists the loss was evaluated on).
     *
     * @param labels the step's labels
     * @param predictions the step's predictions
     */
    void afterStep(NDList labels, NDList predictions);
}
