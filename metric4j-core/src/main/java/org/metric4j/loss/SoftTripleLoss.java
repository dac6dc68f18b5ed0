package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import java.util.Objects;
import org.metric4j.distance.CosineSimilarity;
import org.metric4j.distance.Distance;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;

/**
 * SoftTriple loss (Qian et al. 2019, arXiv:1909.05235), as pytorch-metric-learning's {@code
 * SoftTripleLoss}: K centers per class, a class's similarity the softmax-weighted mean of its
 * centers' similarities, then a margin softmax:
 * \[ S_{ic} = \sum_j \frac{e^{s_{icj}/\gamma}}{\sum_{j'} e^{s_{icj'}/\gamma}}\, s_{icj}, \qquad
 *    L = \frac{1}{B}\sum_i -\log \frac{e^{\lambda (S_{i y_i} - \delta)}}
 *    {e^{\lambda (S_{i y_i} - \delta)} + \sum_{c \ne y_i} e^{\lambda S_{ic}}}, \]
 * with \( s_{icj} \) the cosine of embedding i and center j of class c.
 *
 * <p>{@link #compute} takes the centers (C K) x D, row {@code c*K + j} = center j of class c:
 * the transpose of PML's {@code loss.fc} (D x C K, column {@code c*K + j}); in training a
 * {@link org.metric4j.head.ClassCenters} of C K rows holds them. Defaults (PML's): K =
 * {@value #DEFAULT_CENTERS_PER_CLASS}, lambda = {@value #DEFAULT_LA}, gamma = {@value
 * #DEFAULT_GAMMA}, margin delta = {@value #DEFAULT_MARGIN}, {@link CosineSimilarity}. As in PML
 * there is no regularizer over the centers (the paper's merging term \( \tau R \) is a separate
 * regularizer there); PML's miner weights are not supported.
 */
public final class SoftTripleLoss extends ProxyLoss {

    /** Default centers per class K. */
    public static final int DEFAULT_CENTERS_PER_CLASS = 10;
    /** Default scale lambda (PML's {@code la}). */
    public static final double DEFAULT_LA = 20;
    /** Default temperature gamma of the softmax over a class's centers. */
    public static final double DEFAULT_GAMMA = 0.1;
    /** Default margin delta. */
    public static final double DEFAULT_MARGIN = 0.01;

    private final int centersPerClass;
    private final double la;
    private final double gamma;
    private final double margin;
    private final Distance distance;

    private SoftTripleLoss(Builder b) {
        super("SoftTripleLoss");
        this.centersPerClass = b.centersPerClass;
        this.la = b.la;
        this.gamma = b.gamma;
        this.margin = b.margin;
        this.distance = b.distance;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Centers per class K. */
    public int centersPerClass() {
        return centersPerClass;
    }

    /**
     * The loss.
     *
     * @param embeddings B x D
     * @param centers (C K) x D, row {@code c*K + j} = center j of class c
     * @param labels B class ids in [0, C)
     * @return the mean loss, a scalar of the embeddings' dtype
     */
    @Override
    public NDArray compute(NDArray embeddings, NDArray centers, NDArray labels) {
        NDArray y = checkedLabels(embeddings, centers, labels, centersPerClass).reshape(-1, 1);
        long b = embeddings.getShape().get(0);
        long c = centers.getShape().get(0) / centersPerClass;
        NDArray sim = distance.matrix(embeddings, centers).reshape(b, c, centersPerClass);
        NDArray weights = NDMath.mul(sim, 1.0 / gamma).softmax(2);       // PML multiplies by 1 / gamma
        NDArray classSim = weights.mul(sim).sum(new int[] {2});            // B x C
        NDArray target = classSim.gather(y, 1).sub(margin);
        NDArray logits = NDMath.mul(classSim.scatter(y, target, 1), la);
        return crossEntropy(logits, y.reshape(-1));
    }

    @Override
    public String toString() {
        return "SoftTripleLoss(centersPerClass=" + centersPerClass + ", la=" + la + ", gamma=" + gamma
                + ", margin=" + margin + ", distance=" + distance + ")";
    }

    /** Builder of {@link SoftTripleLoss}. */
    public static final class Builder {
        private int centersPerClass = DEFAULT_CENTERS_PER_CLASS;
        private double la = DEFAULT_LA;
        private double gamma = DEFAULT_GAMMA;
        private double margin = DEFAULT_MARGIN;
        private Distance distance = CosineSimilarity.create();

        private Builder() {}

        /** Centers per class K, {@code >= 1} (default {@value #DEFAULT_CENTERS_PER_CLASS}). */
        public Builder optCentersPerClass(int centersPerClass) {
            Inputs.atLeast("centersPerClass", centersPerClass, 1);
            this.centersPerClass = centersPerClass;
            return this;
        }

        /** Scale lambda, {@code > 0} (default {@value #DEFAULT_LA}). */
        public Builder optLa(double la) {
            this.la = Inputs.positive("la", la);
            return this;
        }

        /** Temperature gamma over a class's centers, {@code > 0} (default {@value #DEFAULT_GAMMA}). */
        public Builder optGamma(double gamma) {
            this.gamma = Inputs.positive("gamma", gamma);
            return this;
        }

        /** Margin delta, {@code >= 0} (default {@value #DEFAULT_MARGIN}). */
        public Builder optMargin(double margin) {
            this.margin = Inputs.nonNegative("margin", margin);
            return this;
        }

        /** The similarity between embeddings and centers (default cosine); must be a similarity. */
        public Builder optDistance(Distance distance) {
            Objects.requireNonNull(distance, "distance");
            if (!distance.isInverted()) {
                throw new IllegalArgumentException(
                        "distance must be a similarity (larger is closer), as PML asserts, got " + distance);
            }
            this.distance = distance;
            return this;
        }

        /** The loss. */
        public SoftTripleLoss build() {
            return new SoftTripleLoss(this);
        }
    }
}
