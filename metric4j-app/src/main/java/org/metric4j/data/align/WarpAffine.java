package org.metric4j.data.align;

/**
 * OpenCV's {@code cv2.warpAffine(src, M, (width, height))} with {@code INTER_LINEAR} and {@code
 * BORDER_CONSTANT} 0, without {@code WARP_INVERSE_MAP}, on 8-bit RGB: every crop pixel \( (x, y)
 * \), with integer x and y, samples the source bilinearly at \( (u, v) = M^{-1} (x, y, 1)^T \) (the
 * inverse of {@link AffineMatrix#inverse()}); source pixel (row i, column j) sits at (j, i), with
 * no half-pixel offset, and a neighbour outside the image reads 0.
 *
 * <p>Pixels are packed {@code 0xRRGGBB} ints, row-major (what {@code BufferedImage.getRGB}
 * gives); the channels are warped independently.
 */
public enum WarpAffine {

    /**
     * OpenCV's fixed-point model (OpenCV 4.6 {@code warpAffine} + {@code remapBilinear}, 8-bit),
     * bit for bit: \( X = (\mathrm{round}(1024 (A_{01} y + b_0)) + 16 + \mathrm{round}(1024 A_{00}
     * x)) \gg 5 \) (round half to even), and Y likewise; the source pixel is \( X \gg 5 \), the
     * fraction \( f_x = X \&amp; 31 \) in 1/32 px; the weights \( 32 (32 - f_x)(32 - f_y) \), \( 32 f_x
     * (32 - f_y) \), \( 32 (32 - f_x) f_y \), \( 32 f_x f_y \) sum to 32768, and the value is \(
     * (\sum w v + 16384) \gg 15 \). InsightFace's {@code norm_crop}.
     */
    OPENCV {
        @Override
        int[] sample(int[] src, int w, int h, AffineMatrix inv, int width, int height) {
            int[] out = new int[width * height];
            int[] adelta = new int[width];
            int[] bdelta = new int[width];
            for (int x = 0; x < width; x++) {
                adelta[x] = roundToInt(inv.m00() * x * AB_SCALE);
                bdelta[x] = roundToInt(inv.m10() * x * AB_SCALE);
            }
            for (int y = 0; y < height; y++) {
                int x0 = roundToInt((inv.m01() * y + inv.m02()) * AB_SCALE) + ROUND_DELTA;
                int y0 = roundToInt((inv.m11() * y + inv.m12()) * AB_SCALE) + ROUND_DELTA;
                for (int x = 0; x < width; x++) {
                    int bx = (x0 + adelta[x]) >> (AB_BITS - INTER_BITS);
                    int by = (y0 + bdelta[x]) >> (AB_BITS - INTER_BITS);
                    int sx = toShort(bx >> INTER_BITS);
                    int sy = toShort(by >> INTER_BITS);
                    int fx = bx & (INTER_TAB - 1);
                    int fy = by & (INTER_TAB - 1);
                    int w00 = (INTER_TAB - fx) * (INTER_TAB - fy) * INTER_TAB;
                    int w01 = fx * (INTER_TAB - fy) * INTER_TAB;
                    int w10 = (INTER_TAB - fx) * fy * INTER_TAB;
                    int w11 = fx * fy * INTER_TAB;
                    int p00 = pixel(src, w, h, sx, sy);
                    int p01 = pixel(src, w, h, sx + 1, sy);
                    int p10 = pixel(src, w, h, sx, sy + 1);
                    int p11 = pixel(src, w, h, sx + 1, sy + 1);
                    int v = 0;
                    for (int shift = 16; shift >= 0; shift -= 8) {
                        int s = ((p00 >>> shift) & 0xff) * w00 + ((p01 >>> shift) & 0xff) * w01
                                + ((p10 >>> shift) & 0xff) * w10 + ((p11 >>> shift) & 0xff) * w11;
                        v = (v << 8) | Math.min(255, (s + (1 << (COEF_BITS - 1))) >> COEF_BITS);
                    }
                    out[y * width + x] = v;
                }
            }
            return out;
        }
    },

    /**
     * A plain double bilinear warp with the same sampling positions, rounded half up: within 9 gray
     * levels of {@link #OPENCV} for any image (OpenCV rounds positions to 1/32 px), measured at most
     * 6 and 0.2 on average on sharp test faces (insightface/align/README.md).
     */
    FLOAT {
        @Override
        int[] sample(int[] src, int w, int h, AffineMatrix inv, int width, int height) {
            int[] out = new int[width * height];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double u = inv.m00() * x + inv.m01() * y + inv.m02();
                    double v = inv.m10() * x + inv.m11() * y + inv.m12();
                    double fu = Math.floor(u);
                    double fv = Math.floor(v);
                    double ax = u - fu;
                    double ay = v - fv;
                    int sx = (int) Math.max(-2, Math.min(w + 1, fu));
                    int sy = (int) Math.max(-2, Math.min(h + 1, fv));
                    int p00 = pixel(src, w, h, sx, sy);
                    int p01 = pixel(src, w, h, sx + 1, sy);
                    int p10 = pixel(src, w, h, sx, sy + 1);
                    int p11 = pixel(src, w, h, sx + 1, sy + 1);
                    int rgb = 0;
                    for (int shift = 16; shift >= 0; shift -= 8) {
                        double s = (1 - ax) * (1 - ay) * ((p00 >>> shift) & 0xff)
                                + ax * (1 - ay) * ((p01 >>> shift) & 0xff)
                                + (1 - ax) * ay * ((p10 >>> shift) & 0xff)
                                + ax * ay * ((p11 >>> shift) & 0xff);
                        int c = (int) Math.floor(s + 0.5);
                        rgb = (rgb << 8) | Math.max(0, Math.min(255, c));
                    }
                    out[y * width + x] = rgb;
                }
            }
            return out;
        }
    };

    private static final int AB_BITS = 10;
    private static final double AB_SCALE = 1 << AB_BITS;
    private static final int INTER_BITS = 5;
    private static final int INTER_TAB = 1 << INTER_BITS;
    private static final int ROUND_DELTA = (1 << AB_BITS) / INTER_TAB / 2;
    private static final int COEF_BITS = 15;

    /**
     * Warps packed RGB pixels.
     *
     * @param src the source, {@code 0xRRGGBB} row-major, {@code w * h} values
     * @param w the source width
     * @param h the source height
     * @param m the matrix from source to output pixels
     * @param width the output width
     * @param height the output height
     * @return the output, {@code 0xRRGGBB} row-major
     * @throws IllegalArgumentException if the sizes disagree or the matrix is singular
     */
    public int[] warp(int[] src, int w, int h, AffineMatrix m, int width, int height) {
        if (w < 1 || h < 1 || src.length != w * h) {
            throw new IllegalArgumentException("source must hold w x h = " + w + " x " + h + " >= 1 pixels, got "
                    + src.length);
        }
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("output size must be >= 1 x 1, got " + width + " x " + height);
        }
        return sample(src, w, h, m.inverse(), width, height);
    }

    abstract int[] sample(int[] src, int w, int h, AffineMatrix inv, int width, int height);

    /** The pixel at column x, row y, or 0 outside the image. */
    private static int pixel(int[] src, int w, int h, int x, int y) {
        return x >= 0 && y >= 0 && x < w && y < h ? src[y * w + x] : 0;
    }

    /** OpenCV's {@code saturate_cast<int>(double)}: round half to even, clamped to int. */
    private static int roundToInt(double v) {
        double r = Math.rint(v);
        if (r >= Integer.MAX_VALUE) {
            return Integer.MAX_VALUE;
        }
        return r <= Integer.MIN_VALUE ? Integer.MIN_VALUE : (int) r;
    }

    /** OpenCV's {@code saturate_cast<short>(int)}. */
    private static int toShort(int v) {
        return Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
    }
}
