package org.metric4j.distance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import java.util.Objects;
import org.metric4j.math.NDMath;

/**
 * Minkowski (Lp) distance \( \|x - y\|_p^{power} \): by default the Euclidean distance \(
 * \|x - y\|_2 \), or its square with {@code power = 2}.
 *
 * <p>Defaults as in pytorch-metric-learning's {@code LpDistance}: embeddings normalized first
 * ({@link #DEFAULT_NORMALIZATION}), p {@value #DEFAULT_P}, power {@value #DEFAULT_POWER}. As in
 * PML the embeddings are normalized with the distance's own p (unit Lp norm, \( x /
 * \max(\|x\|_p, 10^{-12}) \)), so {@code p = 1} compares rows of unit L1 norm. For p = 2 the
 * matrix is computed as \( \|x\|^2 + \|y\|^2 - 2 x y^T \) clamped at 0 (one matrix product).
 * Without normalization (raw features, e.g. LeNet++'s of norm ~1,000) the three terms would cancel
 * in float32 to errors of order 1 on distances of order 1, so that form is centred on the mean
 * reference row (distances do not change under a shift), a batch against itself gets an exact 0
 * diagonal, and the pairs still below 1e-2 of their centred squared norms are recomputed as direct
 * differences: within 1e-4 max(|d|, 1) of a float64 direct difference ({@code
 * DistanceTest.rawFeaturesOfNormAThousand}). Any other p is computed from the direct differences
 * (torch's {@code cdist}; B x M x D memory). Roots and powers have gradient 0 where the distance
 * is exactly 0 (as torch's {@code cdist}), never NaN.
 */
public final class LpDistance implements Distance {

    /** Default: normalize embeddings. */
    public static final Normalization DEFAULT_NORMALIZATION = Normalization.L2;
    /** Default power of the distance. */
    public static final int DEFAULT_POWER = 1;
    /** Default order p of the norm. */
    public static final double DEFAULT_P = 2;

    private final boolean normalize;
    private final double p;
    private final double power;

    private LpDistance(boolean normalize, double p, double power) {
        if (!(p > 0) || !Double.isFinite(p)) {
            throw new IllegalArgumentException("p must be a finite number > 0 (the order of the norm), got " + p);
        }
        if (!(power > 0) || !Double.isFinite(power)) {
            throw new IllegalArgumentException("power must be a finite number > 0, got " + power);
        }
        this.normalize = normalize;
        this.p = p;
        this.power = power;
    }

    /** L2 distance on L2-normalized embeddings (PML's default distance). */
    public static LpDistance euclidean() {
        return new LpDistance(true, 2, 1);
    }

    /** Squared L2 distance on L2-normalized embeddings (FaceNet's form). */
    public static LpDistance squaredEuclidean() {
        return new LpDistance(true, 2, 2);
    }

    /**
     * An L2 distance with explicit options.
     *
     * @param normalization {@link Normalization#L2} to normalize the embeddings first (PML's
     *     default), {@link Normalization#NONE} to compare them as given
     * @param power 1 for the distance, 2 for its square (any value {@code > 0})
     */
    public static LpDistance of(Normalization normalization, int power) {
        return new LpDistance(Objects.requireNonNull(normalization, "normalization") == Normalization.L2, 2, power);
    }

    /** A builder with PML's defaults (p = 2, power 1, normalized embeddings). */
    public static Builder builder() {
        return new Builder();
    }

    /** The power the distance is raised to. */
    public double power() {
        return power;
    }

    /** The order p of the norm. */
    public double p() {
        return p;
    }

    /** The rows normalized to unit Lp norm (torch's {@code F.normalize(x, p)}, eps 1e-12). */
    @Override
    public NDArray normalize(NDArray x) {
        return x.normalize(p, 1, 1e-12);
    }

    /**
     * The distance of row i of {@code x} to row i of {@code y} (N x D each, normalized first when
     * the distance normalizes): the diagonal of the matrix, computed directly.
     */
    public NDArray rowwise(NDArray x, NDArray y) {
        NDArray diff = maybeNormalize(x).sub(maybeNormalize(y));
        return raise(root(diff, 1));
    }

    /** Lp norm along {@code axis} from differences, gradient 0 at 0. */
    private NDArray root(NDArray diff, int axis) {
        return norms(diff, p, axis);
    }

    /**
     * The Lp norms \( (\sum_j |x_j|^p)^{1/p} \) along {@code axis} (torch's {@code
     * torch.norm(x, p, dim)}), with gradient 0 (not NaN) where the norm is 0.
     *
     * @param x any array
     * @param p the order, {@code > 0}
     * @param axis the axis reduced
     * @return the norms, the axis dropped
     */
    public static NDArray norms(NDArray x, double p, int axis) {
        int[] ax = {axis};
        if (p == 2) {
            return safeSqrt(x.square().sum(ax));
        }
        if (p == 1) {
            return x.abs().sum(ax);
        }
        return safePow(safePow(x.abs(), p).sum(ax), 1 / p);
    }

    private NDArray raise(NDArray distance) {
        return power == 1 ? distance : safePow(distance, power);
    }

    /** \( x^e \) for x {@code >= 0}, with value and gradient 0 where x = 0. */
    public static NDArray safePow(NDArray x, double e) {
        NDArray positive = x.gt(0.0);
        NDArray safe = NDArrays.where(positive, x, x.onesLike());
        return NDArrays.where(positive, NDMath.pow(safe, e), x.zerosLike());
    }

    @Override
    public NDArray matrix(NDArray query, NDArray reference) {
        return NDMath.scoped(() -> matrixOf(query, reference));
    }

    private NDArray matrixOf(NDArray query, NDArray reference) {
        NDArray q = maybeNormalize(query);
        NDArray r = query == reference ? q : maybeNormalize(reference);
        // normalized rows have norm 1 and need no centring (and keep PML's exact values)
        if (p != 2) {
            long d = q.getShape().get(1);
            NDArray diff = q.reshape(-1, 1, d).sub(r.reshape(1, -1, d));
            return raise(root(diff, 2));
        }
        NDArray squared = normalize ? squaredDistances(q, r) : rawSquaredDistances(q, r);
        if (power == 2) {
            return squared;
        }
        return raise(safeSqrt(squared));
    }

    /** \( \|q_i\|^2 + \|r_j\|^2 - 2 q_i \cdot r_j \), clamped at 0. */
    public static NDArray squaredDistances(NDArray q, NDArray r) {
        NDArray qq = q.square().sum(new int[] {1}, true);
        NDArray rr = q == r ? qq.transpose() : r.square().sum(new int[] {1}, true).transpose();
        NDArray dot = q.matMul(r.transpose());
        return NDMath.maximum(qq.add(rr).sub(NDMath.mul(dot, 2.0)), 0.0);
    }

    /**
     * Raw features: \( \|q_i - c\|^2 + \|r_j - c\|^2 - 2 (q_i - c) \cdot (r_j - c) \), clamped at 0,
     * with c the mean row of r (held constant: the distance does not depend on it, so the gradient
     * is exact); then the pairs whose value lost its digits to cancellation (squared distance below
     * 1e-2 times the sum of the centred squared norms, where the float error of the three terms is
     * no longer small against the result) are recomputed as direct differences: usually a small
     * fraction of the pairs, all of them in the worst case. A batch against itself gets its exact 0
     * diagonal that way.
     */
    private static NDArray rawSquaredDistances(NDArray q, NDArray r) {
        NDArray c = r.stopGradient().mean(new int[] {0}, true);
        NDArray qc = q.sub(c);
        NDArray rc = q == r ? qc : r.sub(c);
        NDArray qq = qc.square().sum(new int[] {1}, true);
        NDArray rr = q == r ? qq.transpose() : rc.square().sum(new int[] {1}, true).transpose();
        NDArray dot = qc.matMul(rc.transpose());
        NDArray norms = qq.add(rr);
        NDArray squared = NDMath.maximum(norms.sub(NDMath.mul(dot, 2.0)), 0.0);
        NDArray risky = squared.stopGradient().lt(NDMath.mul(norms.stopGradient(), CANCELLATION));
        NDArray pairs = risky.nonzero();    // K x 2 (row, column)
        if (pairs.getShape().get(0) == 0) {
            return squared;
        }
        long m = squared.getShape().get(1);
        NDArray rows = pairs.get(":, 0");
        NDArray cols = pairs.get(":, 1");
        NDArray at = rows.mul(m).add(cols);
        NDArray direct = q.get(rows).sub(r.get(cols)).square().sum(new int[] {1});
        return squared.reshape(-1).scatter(at, direct, 0).reshape(squared.getShape());
    }

    /** Relative size of a squared distance below which the matrix-product form is recomputed. */
    static final double CANCELLATION = 1e-2;

    /** Square root with gradient 0 (not infinity) at 0. */
    public static NDArray safeSqrt(NDArray squared) {
        NDArray positive = squared.gt(0.0);
        NDArray one = squared.onesLike();
        NDArray safe = NDArrays.where(positive, squared, one);
        return NDArrays.where(positive, safe.sqrt(), squared.zerosLike());
    }

    @Override
    public boolean isInverted() {
        return false;
    }

    @Override
    public boolean normalizesEmbeddings() {
        return normalize;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LpDistance d && d.normalize == normalize && d.p == p && d.power == power;
    }

    @Override
    public int hashCode() {
        return Objects.hash(normalize, p, power);
    }

    @Override
    public String toString() {
        return "LpDistance(normalize=" + normalize + (p == 2 ? "" : ", p=" + number(p))
                + ", power=" + number(power) + ")";
    }

    private static String number(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }

    /** Builder of {@link LpDistance}. */
    public static final class Builder {
        private Normalization normalization = DEFAULT_NORMALIZATION;
        private double p = DEFAULT_P;
        private double power = DEFAULT_POWER;

        private Builder() {}

        /** Normalize the rows first ({@link Normalization#L2}: to unit Lp norm) or not (default L2). */
        public Builder optNormalization(Normalization normalization) {
            this.normalization = Objects.requireNonNull(normalization, "normalization");
            return this;
        }

        /** The order p {@code > 0} of the norm (default {@value #DEFAULT_P}). */
        public Builder optP(double p) {
            this.p = p;
            return this;
        }

        /** The power {@code > 0} the distance is raised to (default {@value #DEFAULT_POWER}). */
        public Builder optPower(double power) {
            this.power = power;
            return this;
        }

        /** The distance. */
        public LpDistance build() {
            return new LpDistance(normalization == Normalization.L2, p, power);
        }
    }
}
