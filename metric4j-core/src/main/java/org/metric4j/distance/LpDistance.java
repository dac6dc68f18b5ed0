package org.metric4j.distance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import java.util.Objects;
import org.metric4j.math.NDMath;

/**
 * Euclidean (L2) distance \( \|x - y\|_2 \), or its square with {@code power = 2}.
 *
 * <p>Defaults as in pytorch-metric-learning's {@code LpDistance}: embeddings L2-normalized
 * first ({@link #DEFAULT_NORMALIZATION}), power {@value #DEFAULT_POWER}. The matrix is computed as
 * \( \|x\|^2 + \|y\|^2 - 2 x y^T \) clamped at 0 (one matrix product). Without normalization (raw
 * features, e.g. LeNet++'s of norm ~1,000) the three terms would cancel in float32 to errors of order
 * 1 on distances of order 1, so that form is centred on the mean reference row (distances do not
 * change under a shift), a batch against itself gets an exact 0 diagonal, and the pairs still below
 * 1e-2 of their centred squared norms are recomputed as direct differences:
 * within 1e-4 max(|d|, 1) of a float64 direct difference ({@code
 * DistanceTest.rawFeaturesOfNormAThousand}). The square root has gradient 0 where the distance is
 * exactly 0 (as torch's
 * {@code cdist}), never NaN.
 */
public final class LpDistance implements Distance {

    /** Default: normalize embeddings. */
    public static final Normalization DEFAULT_NORMALIZATION = Normalization.L2;
    /** Default power of the distance. */
    public static final int DEFAULT_POWER = 1;

    private final boolean normalize;
    private final int power;

    private LpDistance(boolean normalize, int power) {
        if (power != 1 && power != 2) {
            throw new IllegalArgumentException("power must be 1 or 2, got " + power);
        }
        this.normalize = normalize;
        this.power = power;
    }

    /** L2 distance on L2-normalized embeddings (PML's default distance). */
    public static LpDistance euclidean() {
        return new LpDistance(true, 1);
    }

    /** Squared L2 distance on L2-normalized embeddings (FaceNet's form). */
    public static LpDistance squaredEuclidean() {
        return new LpDistance(true, 2);
    }

    /**
     * An L2 distance with explicit options.
     *
     * @param normalization {@link Normalization#L2} to normalize the embeddings first (PML's
     *     default), {@link Normalization#NONE} to compare them as given
     * @param power 1 for the distance, 2 for its square
     */
    public static LpDistance of(Normalization normalization, int power) {
        return new LpDistance(Objects.requireNonNull(normalization, "normalization") == Normalization.L2, power);
    }

    /** The power (1 or 2). */
    public int power() {
        return power;
    }

    @Override
    public NDArray matrix(NDArray query, NDArray reference) {
        NDArray q = maybeNormalize(query);
        NDArray r = query == reference ? q : maybeNormalize(reference);
        // normalized rows have norm 1 and need no centring (and keep PML's exact values)
        NDArray squared = normalize ? squaredDistances(q, r) : rawSquaredDistances(q, r);
        if (power == 2) {
            return squared;
        }
        return safeSqrt(squared);
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
        return o instanceof LpDistance d && d.normalize == normalize && d.power == power;
    }

    @Override
    public int hashCode() {
        return Objects.hash(normalize, power);
    }

    @Override
    public String toString() {
        return "LpDistance(normalize=" + normalize + ", power=" + power + ")";
    }
}
