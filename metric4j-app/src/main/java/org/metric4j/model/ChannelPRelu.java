package org.metric4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import org.metric4j.math.NDMath;

/**
 * Channel-wise PReLU (He et al. 2015, arXiv:1502.01852): \( y = \max(x, 0) + a_c \min(x, 0) \)
 * with one learned slope per channel (axis 1), initialized to 0.25. DJL 0.35.1's PyTorch engine
 * does not implement its own {@code Prelu} block, so this one is written with elementwise ops.
 */
public final class ChannelPRelu extends AbstractBlock {

    private final Parameter alpha;

    /** A PReLU whose channel count is taken from its input. */
    public ChannelPRelu() {
        alpha = addParameter(Parameter.builder().setName("alpha").setType(Parameter.Type.OTHER)
                .optInitializer(new ConstantInitializer(0.25f)).build());
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        alpha.setShape(new Shape(inputShapes[0].get(1)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDArray a = ps.getValue(alpha, x.getDevice(), training);
        long[] shape = new long[x.getShape().dimension()];
        java.util.Arrays.fill(shape, 1);
        shape[1] = a.getShape().get(0);
        // constants from NDMath: DJL's Number overloads free the number before backward reads it
        return new NDList(NDMath.maximum(x, 0.0).add(NDMath.minimum(x, 0.0).mul(a.reshape(shape))));
    }

    @Override
    public String toString() {
        return "ChannelPRelu()";
    }
}
