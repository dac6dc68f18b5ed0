package org.metric4j.data.align;

/**
 * A 2 x 3 affine matrix \( M = \begin{pmatrix} m_{00} &amp; m_{01} &amp; m_{02} \\ m_{10} &amp; m_{11} &amp; m_{12}
 * \end{pmatrix} \) in double, mapping \( (x, y) \) to \( M (x, y, 1)^T \): the {@code M} that
 * OpenCV's {@code cv2.warpAffine} takes and InsightFace's {@code estimate_norm} returns (source
 * pixels to crop pixels).
 *
 * @param m00 row 0, column 0
 * @param m01 row 0, column 1
 * @param m02 row 0, column 2 (x translation)
 * @param m10 row 1, column 0
 * @param m11 row 1, column 1
 * @param m12 row 1, column 2 (y translation)
 */
public record AffineMatrix(double m00, double m01, double m02, double m10, double m11, double m12) {

    /** The matrix of a 2 x 3 array {@code [[m00, m01, m02], [m10, m11, m12]]}. */
    public static AffineMatrix of(double[][] m) {
        if (m.length != 2 || m[0].length != 3 || m[1].length != 3) {
            throw new IllegalArgumentException("an affine matrix must be 2 x 3, got " + m.length + " x "
                    + (m.length == 0 ? 0 : m[0].length));
        }
        return new AffineMatrix(m[0][0], m[0][1], m[0][2], m[1][0], m[1][1], m[1][2]);
    }

    /** The matrix as {@code [[m00, m01, m02], [m10, m11, m12]]}. */
    public double[][] toArray() {
        return new double[][] {{m00, m01, m02}, {m10, m11, m12}};
    }

    /** The determinant of the 2 x 2 block. */
    public double determinant() {
        return m00 * m11 - m01 * m10;
    }

    /**
     * The inverse as OpenCV's {@code cv::invertAffineTransform} computes it, operation for
     * operation: \( D = 1 / (m_{00} m_{11} - m_{01} m_{10}) \), \( A = D \begin{pmatrix} m_{11} &amp;
     * -m_{01} \\ -m_{10} &amp; m_{00} \end{pmatrix} \), \( b = -A (m_{02}, m_{12})^T \). {@code
     * warpAffine} samples the source at the inverse applied to each crop pixel.
     *
     * @throws IllegalArgumentException if the 2 x 2 block is singular
     */
    public AffineMatrix inverse() {
        double det = determinant();
        if (det == 0 || !Double.isFinite(det)) {
            throw new IllegalArgumentException("the affine matrix is not invertible (determinant " + det + "): " + this);
        }
        double d = 1.0 / det;
        double a00 = m11 * d;
        double a11 = m00 * d;
        double a01 = -m01 * d;
        double a10 = -m10 * d;
        double b0 = -a00 * m02 - a01 * m12;
        double b1 = -a10 * m02 - a11 * m12;
        return new AffineMatrix(a00, a01, b0, a10, a11, b1);
    }

    /** \( M (x, y, 1)^T \) as {@code {x', y'}}. */
    public double[] apply(double x, double y) {
        return new double[] {m00 * x + m01 * y + m02, m10 * x + m11 * y + m12};
    }

    /** The largest absolute difference of the 2 x 2 blocks. */
    public double linearDistance(AffineMatrix o) {
        return Math.max(Math.max(Math.abs(m00 - o.m00), Math.abs(m01 - o.m01)),
                Math.max(Math.abs(m10 - o.m10), Math.abs(m11 - o.m11)));
    }

    /** The largest absolute difference of the translation columns. */
    public double translationDistance(AffineMatrix o) {
        return Math.max(Math.abs(m02 - o.m02), Math.abs(m12 - o.m12));
    }
}
