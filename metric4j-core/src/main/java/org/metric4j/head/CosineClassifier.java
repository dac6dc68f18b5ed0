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
 * A cosine classifier: class weights W (D x C, one column per class) and the output
 * \( \cos\theta_{ij} = \hat{x}_i^T \hat{W}_j \), the input of every margin softmax (NormFace,
 * SphereFace, CosFace, ArcFace). With k sub-centers per class (sub-center ArcFace) W is D x (C k)
 * and a class scores its closest sub-center.
 *
 * <p>Input: B x D embeddings. Output: {@link ClassScores#toList()} = [B x C cosines, B x 1
 * embedding norms, 1 x C weight norms (absent with sub-centers)]. Default initializer: normal
 * with sigma {@value #DEFAULT_SIGMA} (InsightFace). Dropped at deployment: only the backbone's
 * embedding is kept.
 */
public final class CosineClassifier extends AbstractBlock {

    /** Default standard deviation of the initial weights. */
    public static final float DEFAULT_SIGMA = 0.01f;

    private final int numClasses;
    private final int subCenters;
    private final Parameter weight;

    private CosineClassifier(Builder b) {
        this.numClasses = b.numClasses;
        this.subCenters = b.subCenters;
        this.weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optInitializer(b.initializer)
                .build());
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The number of classes C. */
    public int numClasses() {
        return numClasses;
    }

    /** Sub-centers per class (1 for a plain cosine classifier). */
    public int subCenters() {
        return subCenters;
    }

    /** The weight parameter (D x C k). */
    public Parameter weight() {
        return weight;
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        long d = inputShapes[0].get(inputShapes[0].dimension() - 1);
        weight.setShape(new Shape(d, (long) numClasses * subCenters));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long b = inputShapes[0].get(0);
        Shape cos = new Shape(b, numClasses);
        Shape xn = new Shape(b, 1);
        return subCenters > 1 ? new Shape[] {cos, xn} : new Shape[] {cos, xn, new Shape(1, numClasses)};
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        if (x.getShape().dimension() != 2 || x.getShape().get(1) != w.getShape().get(0)) {
            throw new IllegalArgumentException(
                    "embeddings must be B x " + w.getShape().get(0) + " for this head, got "
                            + x.getShape());
        }
        if (w.getDataType() != x.getDataType()) {
            w = w.toType(x.getDataType(), false);
        }
        return ClassScores.of(x, w, subCenters).toList();
    }

    @Override
    public String toString() {
        return "CosineClassifier(numClasses=" + numClasses + ", subCenters=" + subCenters + ")";
    }

    /** Builder of {@link CosineClassifier}. */
    public static final class Builder {
        private int numClasses;
        private int subCenters = 1;
        private Initializer initializer = new NormalInitializer(DEFAULT_SIGMA);

        /** The number of classes C (required, >= 1). */
        public Builder setNumClasses(int numClasses) {
            this.numClasses = numClasses;
            return this;
        }

        /** Sub-centers per class (default 1). */
        public Builder optSubCenters(int subCenters) {
            this.subCenters = subCenters;
            return this;
        }

        /** The weight initializer (default normal, sigma {@value #DEFAULT_SIGMA}). */
        public Builder optInitializer(Initializer initializer) {
            this.initializer = initializer;
            return this;
        }

        /** The head. */
        public CosineClassifier build() {
            Inputs.atLeast("numClasses", numClasses, 1);
            Inputs.atLeast("subCenters", subCenters, 1);
            return new CosineClassifier(this);
        }
    }

}
