package org.metric4j.distance;

import ai.djl.ndarray.NDArray;
import java.util.Objects;
import org.metric4j.math.NDMath;

/**
 * Signal-to-noise ratio distance (Yuan et al. 2019, "Signal-To-Noise Ratio: A Robust Distance
 * Metric for Deep Metric Learning", arXiv:1904.02616): \( d(a, b) = \mathrm{var}(a - b) /
 * \mathrm{var}(a) \), the variances over the D components of a row, the noise (the
 * difference) against the signal (the anchor). Not symmetric: the query row is the anchor. A
 * distance (smaller is closer), as pytorch-metric-learning's {@code SNRDistance}.
 *
 * <p>Default (PML): the embeddings are L2-normalized first ({@link #DEFAULT_NORMALIZATION}).
 * The variances' factor 1 / (D - 1) cancels in the ratio, so the matrix is computed from the
 * centred rows \( \bar a \), \( \bar b \) as \( (\|\bar a\|^2 + \|\bar b\|^2 - 2 \bar a \cdot \bar
 * b) / \|\bar a\|^2 \) (one matrix product, the numerator clamped at 0). A query whose
 * components are all equal (variance 0, where PML divides by zero) gets its variance raised to
 * {@value #MIN_VARIANCE}, so the matrix stays finite.
 */
public final class SNRDistance implements Distance {

    /** Default: normalize embeddings. */
    public static final Normalization DEFAULT_NORMALIZATION = Normalization.L2;
    /** Lower bound of a query's (unscaled) variance, against a division by zero. */
    public static final double MIN_VARIANCE = 1e-12;

    private static final SNRDistance DEFAULT = new SNRDistance(true);

    private final boolean normalize;

    private SNRDistance(boolean normalize) {
        this.normalize = normalize;
    }

    /** The SNR distance of L2-normalized embeddings (PML's default). */
    public static SNRDistance create() {
        return DEFAULT;
    }

    /**
     * The SNR distance with an explicit normalization.
     *
     * @param normalization {@link Normalization#L2} to normalize the embeddings first (PML's
     *     default), {@link Normalization#NONE} to compare them as given
     */
    public static SNRDistance of(Normalization normalization) {
        return Objects.requireNonNull(normalization, "normalization") == Normalization.L2
                ? DEFAULT : new SNRDistance(false);
    }

    @Override
    public NDArray matrix(NDArray query, NDArray reference) {
        NDArray q = centred(maybeNormalize(query));
        NDArray r = query == reference ? q : centred(maybeNormalize(reference));
        NDArray qq = q.square().sum(new int[] {1}, true);
        NDArray rr = q == r ? qq.transpose() : r.square().sum(new int[] {1}, true).transpose();
        NDArray noise = NDMath.maximum(qq.add(rr).sub(NDMath.mul(q.matMul(r.transpose()), 2.0)), 0.0);
        return noise.div(NDMath.maximum(qq, MIN_VARIANCE));
    }

    private static NDArray centred(NDArray x) {
        return x.sub(x.mean(new int[] {1}, true));
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
        return o instanceof SNRDistance d && d.normalize == normalize;
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(normalize);
    }

    @Override
    public String toString() {
        return "SNRDistance(normalize=" + normalize + ")";
    }
}
