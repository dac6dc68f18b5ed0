package org.metric4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A {@link SequentialBlock} that, in inference, closes each intermediate output as soon as the
 * next child has consumed it (never its own input or its result), as PyTorch frees a tensor whose
 * last reference is gone. DJL otherwise keeps every intermediate until the caller's scope or
 * manager closes: at batch 32 a MobileFaceNet forward then held 5.8 GB instead of about 0.5 GB,
 * and the fresh memory it keeps asking for is most of the gap to TorchScript. Training is
 * unchanged (autograd keeps what it needs; the arrays stay to the caller's scope).
 */
final class EagerSequentialBlock extends SequentialBlock {

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        if (training) {
            return super.forwardInternal(ps, inputs, true, params);
        }
        NDList current = inputs;
        for (Block child : getChildren().values()) {
            NDList next = child.forward(ps, current, false, params);
            if (current != inputs) {
                closeExcept(current, next, inputs);
            }
            current = next;
        }
        return current;
    }

    /** Closes the arrays of {@code done} that are neither in {@code kept} nor in {@code inputs}. */
    static void closeExcept(NDList done, NDList kept, NDList inputs) {
        for (NDArray a : done) {
            if (!contains(kept, a) && !contains(inputs, a)) {
                a.close();
            }
        }
    }

    private static boolean contains(NDList list, NDArray a) {
        for (NDArray b : list) {
            if (b == a) {
                return true;
            }
        }
        return false;
    }
}
