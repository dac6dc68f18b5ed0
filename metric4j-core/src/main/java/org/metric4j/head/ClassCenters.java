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
 * Learnable class centers C x D (Wen et al. 2016, center loss). The block passes the embeddings
 * through and appends the centers, so that {@link org.metric4j.loss.CenterLoss} can read both:
 * input [B x D embeddings], output [embeddings, C x D centers]. The centers are trained by the
 * optimizer through the loss's gradient, or moved by the paper's rule with {@link
 * org.metric4j.loss.CenterUpdate} (rate alpha) when the parameter is frozen.
 */
public final class ClassCenters extends AbstractBlock {

    private final int numClasses;
    private final Parameter centers;

    private ClassCenters(int numClasses, Initializer initializer) {
        this.numClasses = numClasses;
        this.centers = addParameter(Parameter.builder().setName("centers")
                .setType(Parameter.Type.WEIGHT).optInitializer(initializer).build());
    }

    /** Centers of {@code numClasses} classes, initialized from a normal with sigma 0.01. */
    public static ClassCenters of(int numClasses) {
        Inputs.atLeast("numClasses", numClasses, 1);
        return new ClassCenters(numClasses, new NormalInitializer(CosineClassifier.DEFAULT_SIGMA));
    }

    /** The centers parameter (C x D). */
    public Parameter centers() {
        return centers;
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        long d = inputShapes[0].get(inputShapes[0].dimension() - 1);
        centers.setShape(new Shape(numClasses, d));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long d = inputShapes[0].get(inputShapes[0].dimension() - 1);
        return new Shape[] {inputShapes[0], new Shape(numClasses, d)};
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        return new NDList(x, ps.getValue(centers, x.getDevice(), training));
    }

    @Override
    public String toString() {
        return "ClassCenters(numClasses=" + numClasses + ")";
    }
}
