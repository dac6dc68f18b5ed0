package org.metric4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * An optimizer whose state (momentum, moments) can be saved in a checkpoint and restored, so that
 * a resumed run continues exactly where it stopped (DJL's optimizers keep theirs private).
 * Updates follow PyTorch's definitions; weight decay is L2 added to the gradient.
 */
public interface ParameterOptimizer {

    /**
     * Updates one parameter in place.
     *
     * @param id a stable parameter id (its state key)
     * @param weight the parameter array (updated in place)
     * @param gradient its gradient
     * @param learningRate the learning rate of this step
     * @param weightDecay the L2 weight decay of this parameter
     */
    void update(String id, NDArray weight, NDArray gradient, double learningRate, double weightDecay);

    /** The state as named arrays (names are "id/slot"). */
    NDList state();

    /** Restores the state saved by {@link #state()}, copying into arrays of {@code manager}. */
    void loadState(NDList state, NDManager manager);

    /** Advances the step counter (Adam's bias correction); called once per optimizer step. */
    default void nextStep() {}
}
