package org.metric4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * An optimizer whose state (momentum, moments) can be saved in a checkpoint and restored, so that
 * a resumed run continues exactly where it stopped. Updates follow PyTorch's definitions; weight
 * decay is L2 added to the gradient.
 *
 * <p>Why not DJL's {@code ai.djl.training.optimizer.Optimizer}s (0.35.1): they keep their state
 * (momentum, Adam's moments, update counts) in private maps with no way to read or restore it, so
 * a resumed run cannot continue exactly; DJL's SGD is MXNet-style, \( v \leftarrow \mu v + \eta
 * (g + \lambda w),\ w \leftarrow w - v \), which differs from PyTorch's \( v \leftarrow \mu v +
 * g,\ w \leftarrow w - \eta v \) whenever the learning rate changes (warm-up, decay); and its
 * {@code clipGrad} clamps each gradient element (in the PyTorch engine from above only) instead of
 * scaling all gradients by their global norm. The learning rate of each step comes from a {@link
 * org.metric4j.schedule.Schedule}, on DJL's trackers where they fit.
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
