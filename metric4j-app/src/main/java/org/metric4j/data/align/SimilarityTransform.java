package org.metric4j.data.align;

/**
 * The least-squares similarity transform (rotation, uniform scale, translation; no reflection, no
 * shear) mapping points to points, in closed form in double: the 2-D case of Umeyama's method
 * (Umeyama 1991, "Least-squares estimation of transformation parameters between two point
 * patterns"), which scikit-image's {@code SimilarityTransform.estimate} computes and InsightFace's
 * {@code estimate_norm} calls. Over the demeaned source points \( s \) and destination points \( d
 * \):
 *
 * <p>\( a = \sum (s_x d_x + s_y d_y) / \sum (s_x^2 + s_y^2) \), \( b = \sum (s_x d_y - s_y d_x) /
 * \sum (s_x^2 + s_y^2) \), \( t = \bar d - \begin{pmatrix} a &amp; -b \\ b &amp; a \end{pmatrix} \bar s \),
 * \( M = \begin{pmatrix} a &amp; -b &amp; t_x \\ b &amp; a &amp; t_y \end{pmatrix} \).
 *
 * <p>Where the source's left and right are swapped (the cross-covariance has a negative
 * determinant) Umeyama's reflection fix gives this same rotation and scale, so the closed form
 * needs no special case. InsightFace's own {@code M} differs by up to 1e-7 in the 2 x 2 block and
 * 2e-5 px in the translation, because skimage computes the means and the SVD in float32.
 */
public final class SimilarityTransform {

    private SimilarityTransform() {}

    /**
     * The transform taking {@code src} to {@code dst} in the least-squares sense.
     *
     * @param src the source points {@code x1, y1, x2, y2, ...} (at least 2 points)
     * @param dst the destination points, as many
     * @return the 2 x 3 matrix
     * @throws IllegalArgumentException if the lengths differ or are odd or below 4, a value is not
     *     finite, or the source points all coincide
     */
    public static AffineMatrix estimate(double[] src, double[] dst) {
        if (src.length != dst.length || src.length % 2 != 0 || src.length < 4) {
            throw new IllegalArgumentException("src and dst must hold the same number (>= 2) of x, y points, got "
                    + src.length + " and " + dst.length + " values");
        }
        int n = src.length / 2;
        double sx = 0, sy = 0, dx = 0, dy = 0;
        for (int i = 0; i < n; i++) {
            sx += src[2 * i];
            sy += src[2 * i + 1];
            dx += dst[2 * i];
            dy += dst[2 * i + 1];
        }
        sx /= n;
        sy /= n;
        dx /= n;
        dy /= n;
        double dot = 0, cross = 0, norm = 0;
        for (int i = 0; i < n; i++) {
            double px = src[2 * i] - sx;
            double py = src[2 * i + 1] - sy;
            double qx = dst[2 * i] - dx;
            double qy = dst[2 * i + 1] - dy;
            dot += px * qx + py * qy;
            cross += px * qy - py * qx;
            norm += px * px + py * py;
        }
        if (!(norm > 0) || !Double.isFinite(norm) || !Double.isFinite(dot) || !Double.isFinite(cross)) {
            throw new IllegalArgumentException("the source points must be finite and not all equal, got "
                    + java.util.Arrays.toString(src));
        }
        double a = dot / norm;
        double b = cross / norm;
        return new AffineMatrix(a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy));
    }

    /** {@link #estimate(double[], double[])} of float32 points, widened exactly. */
    public static AffineMatrix estimate(float[] src, float[] dst) {
        return estimate(widen(src), widen(dst));
    }

    private static double[] widen(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
