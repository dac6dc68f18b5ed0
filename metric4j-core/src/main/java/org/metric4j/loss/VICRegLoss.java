package org.metric4j.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;
import org.metric4j.math.Inputs;
import org.metric4j.math.NDMath;

/**
 * VICReg, variance-invariance-covariance regularization of two views (Bardes, Ponce and LeCun
 * 2021, arXiv:2105.04906; PML's {@code VICRegLoss}), without labels:
 * \( L(Z, Z') = \lambda\, s(Z, Z') + \mu\, [v(Z) + v(Z')] + \nu\, [c(Z) + c(Z')] \) with
 * <ul>
 *   <li>invariance \( s = \frac{1}{B}\sum_i \frac{1}{D}\sum_d (z_{id} - z'_{id})^2 \);
 *   <li>variance \( v(Z) = \frac{1}{D}\sum_d \max(0, 1 - \sqrt{\mathrm{Var}(z_{\cdot d}) +
 *       \epsilon}) / 2 \), unbiased variance over the batch (the 1/2 is PML's: the two views'
 *       terms are averaged);
 *   <li>covariance \( c(Z) = \frac{1}{D}\sum_{d \ne d'} C(Z)_{dd'}^2 \),
 *       \( C(Z) = \frac{1}{B-1} \bar Z^T \bar Z \) of the centred batch.
 * </ul>
 *
 * <p>Shapes: both views B x D with B {@code >=} 2 (the unbiased variance needs two rows); row i of
 * one view and row i of the other are the same item. {@link #evaluate} takes {@code predictions =
 * [view1, view2]}; labels are ignored. Defaults (PML's, which are the paper's): lambda {@value
 * #DEFAULT_INVARIANCE_LAMBDA}, mu {@value #DEFAULT_VARIANCE_MU}, nu {@value #DEFAULT_COVARIANCE_V},
 * epsilon {@value #DEFAULT_EPS}. The sub-losses are averaged as PML's default mean reducer does;
 * no distance, miner or regularizer applies. Gradients flow to both views; identical views give a
 * zero invariance term with a zero gradient, and epsilon keeps the square root differentiable
 * for a constant dimension.
 */
public final class VICRegLoss extends Loss {

    /** Default weight lambda of the invariance term. */
    public static final double DEFAULT_INVARIANCE_LAMBDA = 25;
    /** Default weight mu of the variance terms. */
    public static final double DEFAULT_VARIANCE_MU = 25;
    /** Default weight nu of the covariance terms. */
    public static final double DEFAULT_COVARIANCE_V = 1;
    /** Default epsilon under the square root of the variance. */
    public static final double DEFAULT_EPS = 1e-4;

    private final double invarianceLambda;
    private final double varianceMu;
    private final double covarianceV;
    private final double eps;

    private VICRegLoss(Builder b) {
        super("VICRegLoss");
        this.invarianceLambda = b.invarianceLambda;
        this.varianceMu = b.varianceMu;
        this.covarianceV = b.covarianceV;
        this.eps = b.eps;
    }

    /** A builder with PML's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        return compute(
                ExplicitInputs.get(getName(), predictions, 0, "the first view"),
                ExplicitInputs.get(getName(), predictions, 1, "the second view"));
    }

    /**
     * The loss of two views of the same batch.
     *
     * @param view1 B x D embeddings (PML's {@code embeddings})
     * @param view2 B x D embeddings of the same items (PML's {@code ref_emb})
     * @return the scalar loss, in the views' dtype
     */
    public NDArray compute(NDArray view1, NDArray view2) {
        long b = Inputs.embeddings("view1", view1);
        Inputs.embeddings("view2", view2);
        Inputs.sameShape("view1", view1, "view2", view2);
        if (view1.getDataType() != view2.getDataType()) {
            throw new IllegalArgumentException("view2 must have the dtype of view1 (" + view1.getDataType()
                    + "), got " + view2.getDataType());
        }
        if (b < 2) {
            throw new IllegalArgumentException(
                    "view1 must have at least 2 rows (the unbiased variance over the batch), got shape "
                            + view1.getShape());
        }
        NDArray invariance = NDMath.mul(NDMath.total(view1.sub(view2).square()),
                invarianceLambda / (double) view1.size());
        NDArray variance = NDMath.mul(varianceTerm(view1).add(varianceTerm(view2)), varianceMu);
        NDArray covariance = NDMath.mul(covarianceTerm(view1).add(covarianceTerm(view2)), covarianceV);
        return NDMath.scalar(invariance.add(variance).add(covariance));
    }

    /** \( \frac{1}{D}\sum_d \max(0, 1 - \sqrt{Var_d + \epsilon}) / 2 \) as a 1-element array. */
    private NDArray varianceTerm(NDArray z) {
        long b = z.getShape().get(0);
        long d = z.getShape().get(1);
        NDArray centred = z.sub(z.mean(new int[] {0}, true));
        NDArray var = NDMath.div(centred.square().sum(new int[] {0}), b - 1.0);
        NDArray std = var.add(NDMath.constant(var, eps)).sqrt();
        NDArray hinge = NDMath.relu(NDMath.constant(std, 1.0).sub(std));
        return NDMath.div(NDMath.total(hinge), 2.0 * d);
    }

    /** \( \frac{1}{D}\sum_{d \ne d'} C_{dd'}^2 \) as a 1-element array. */
    private static NDArray covarianceTerm(NDArray z) {
        long b = z.getShape().get(0);
        long d = z.getShape().get(1);
        NDArray centred = z.sub(z.mean(new int[] {0}, true));
        NDArray cov = NDMath.div(centred.transpose().matMul(centred), b - 1.0);
        NDArray offDiagonal = z.getManager().eye((int) d).toType(DataType.BOOLEAN, false).logicalNot()
                .toType(z.getDataType(), false).toDevice(z.getDevice(), false);
        return NDMath.div(NDMath.total(cov.square().mul(offDiagonal)), d);
    }

    @Override
    public String toString() {
        return "VICRegLoss(invarianceLambda=" + invarianceLambda + ", varianceMu=" + varianceMu
                + ", covarianceV=" + covarianceV + ", eps=" + eps + ")";
    }

    /** Builder of {@link VICRegLoss}. */
    public static final class Builder {
        private double invarianceLambda = DEFAULT_INVARIANCE_LAMBDA;
        private double varianceMu = DEFAULT_VARIANCE_MU;
        private double covarianceV = DEFAULT_COVARIANCE_V;
        private double eps = DEFAULT_EPS;

        private Builder() {}

        /** Weight lambda of the invariance term, {@code >= 0} (default {@value #DEFAULT_INVARIANCE_LAMBDA}). */
        public Builder optInvarianceLambda(double invarianceLambda) {
            this.invarianceLambda = Inputs.nonNegative("invarianceLambda", invarianceLambda);
            return this;
        }

        /** Weight mu of the variance terms, {@code >= 0} (default {@value #DEFAULT_VARIANCE_MU}). */
        public Builder optVarianceMu(double varianceMu) {
            this.varianceMu = Inputs.nonNegative("varianceMu", varianceMu);
            return this;
        }

        /** Weight nu of the covariance terms, {@code >= 0} (default {@value #DEFAULT_COVARIANCE_V}). */
        public Builder optCovarianceV(double covarianceV) {
            this.covarianceV = Inputs.nonNegative("covarianceV", covarianceV);
            return this;
        }

        /** Epsilon under the square root of the variance, {@code > 0} (default {@value #DEFAULT_EPS}). */
        public Builder optEps(double eps) {
            this.eps = Inputs.positive("eps", eps);
            return this;
        }

        /** The loss. */
        public VICRegLoss build() {
            return new VICRegLoss(this);
        }
    }
}
