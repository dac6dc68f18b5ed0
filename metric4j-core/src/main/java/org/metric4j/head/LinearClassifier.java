package org.metric4j.head;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import org.metric4j.math.Inputs;

/**
 * The plain softmax classifier of DeepFace / DeepID / the center-loss paper: logits
 * \( x W + b \) with weights W (D x C) and bias b (C).
 *
 * <p>Input: B x D embeddings. Output: [B x C logits].
 */
public final class LinearClassifier extends AbstractBlock {

    private final int numClasses;
    private final Parameter weight;
    private final Parameter bias;

    private LinearClassifier(int numClasses, Initializer initializer) {
        this.numClasses = numClasses;
        this.weight = addParameter(Parameter.builder().setName("weight")
                .setType(Parameter.Type.WEIGHT).optInitializer(initializer).build());
        this.bias = addParameter(Parameter.builder().setName("bias")
                .setType(Parameter.Type.BIAS).build());
    }

    /**
     * A classifier of {@code numClasses} classes with weights drawn from a normal with sigma
     * {@value CosineClassifier#DEFAULT_SIGMA} and zero bias.
     */
    public static LinearClassifier of(int numClasses) {
        Inputs.atLeast("numClasses", numClasses, 1);
        return new LinearClassifier(numClasses, new NormalInitializer(CosineClassifier.DEFAULT_SIGMA));
    }

    /** The logits \( x W + b \). */
    public static NDArray logits(NDArray x, NDArray w, NDArray b) {
        return x.matMul(w).add(b.reshape(1, -1));
    }

    /** The number of classes. */
    public int numClasses() {
        return numClasses;
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        long d = inputShapes[0].get(inputShapes[0].dimension() - 1);
        weight.setShape(new Shape(d, numClasses));
        bias.setShape(new Shape(numClasses));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), numClasses)};
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = ps.getValue(bias, x.getDevice(), training);
        if (x.getShape().dimension() != 2 || x.getShape().get(1) != w.getShape().get(0)) {
            throw new IllegalArgumentException(
                    "embeddings must be B x " + w.getShape().get(0) + " for this head, got "
                            + x.getShape());
        }
        return new NDList(logits(x, w, b));
    }

    @Override
    public String toString() {
        return "LinearClassifier(numClasses=" + numClasses + ")";
    }
}
