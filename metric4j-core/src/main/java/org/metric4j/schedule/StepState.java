package org.metric4j.schedule;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * State that a loss keeps between training steps and that is not a DJL parameter (a
 * CrossBatchMemory queue, a stored histogram, a step counter): a checkpoint saves it with the
 * parameters, so that a resumed run continues exactly. Such state changes only through {@link
 * StepUpdate#afterStep}, never inside {@code evaluate}.
 */
public interface StepState {

    /**
     * The state as arrays, in a fixed order (counters as int64 scalars). The caller only reads and
     * writes them; the loss keeps its own copies.
     *
     * @return the state, possibly empty
     */
    NDList saveState();

    /**
     * Replaces the state with arrays written by {@link #saveState} of an equal loss (same order,
     * shapes and dtypes; anything else is an IllegalArgumentException naming what differs).
     *
     * @param state the saved arrays
     * @param manager where the loss keeps its copies
     */
    void loadState(NDList state, NDManager manager);
}
