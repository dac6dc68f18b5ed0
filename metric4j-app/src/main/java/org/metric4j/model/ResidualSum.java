package org.metric4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * \( y = f(x) + g(x) \): a residual block's body {@code f} and its shortcut {@code g} (the
 * identity or a downsampling branch). \( g(x) \) is closed at once when it is an intermediate
 * (see {@link EagerSequentialBlock}); in inference the sum is taken in place in \( f(x) \)'s
 * array, in training it is a plain add (autograd needs no in-place update).
 */
final class ResidualSum extends AbstractBlock {

    private final Block body;
    private final Block shortcut;

    ResidualSum(Block body, Block shortcut) {
        this.body = addChildBlock("body", body);
        this.shortcut = addChildBlock("shortcut", shortcut);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        body.initialize(manager, dataType, inputShapes);
        shortcut.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return body.getOutputShapes(inputShapes);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList f = body.forward(ps, inputs, training, params);
        NDList g = shortcut.forward(ps, inputs, training, params);
        NDArray fx = f.singletonOrThrow();
        NDArray gx = g.singletonOrThrow();
        if (training || fx == inputs.head()) {
            NDArray y = fx.add(gx);
            EagerSequentialBlock.closeExcept(g, new NDList(y), inputs);
            return new NDList(y);
        }
        fx.addi(gx);
        EagerSequentialBlock.closeExcept(g, f, inputs);
        return f;
    }

    @Override
    public String toString() {
        return "ResidualSum(" + body + ", " + shortcut + ")";
    }
}
