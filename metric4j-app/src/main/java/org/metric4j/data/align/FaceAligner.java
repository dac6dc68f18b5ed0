package org.metric4j.data.align;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.metric4j.data.ImageDecoder;

/**
 * 5-landmark face alignment: InsightFace's {@code norm_crop(img, landmark, image_size)} ({@code
 * insightface/utils/face_align.py}), i.e. {@code estimate_norm} (the {@link SimilarityTransform}
 * from the landmarks to a {@link FaceTemplate}) then {@code cv2.warpAffine(img, M, (size, size),
 * borderValue=0.0)} ({@link WarpAffine#OPENCV}). Immutable; thread-safe.
 *
 * <pre>{@code
 * FaceAligner aligner = FaceAligner.arcface(112);
 * BufferedImage crop = aligner.align(image, landmarks); // landmarks: x1, y1, ..., x5, y5
 * }</pre>
 */
public final class FaceAligner {

    /** The default crop size, {@value}, as in {@code norm_crop}. */
    public static final int DEFAULT_SIZE = 112;
    /** The number of landmarks, {@value}: the eyes, the nose tip, the mouth corners. */
    public static final int LANDMARKS = 5;

    private final int size;
    private final FaceTemplate template;
    private final WarpAffine warp;
    private final float[] points;

    private FaceAligner(Builder b) {
        this.size = b.size;
        this.template = b.template;
        this.warp = b.warp;
        this.points = template.points(size);
    }

    /** InsightFace's {@code norm_crop(img, landmark, size)}: the ArcFace template and OpenCV's warp. */
    public static FaceAligner arcface(int size) {
        return builder().optSize(size).build();
    }

    /** A builder with {@code norm_crop}'s defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The crop size in pixels (square). */
    public int size() {
        return size;
    }

    /** The template the landmarks are mapped to. */
    public FaceTemplate template() {
        return template;
    }

    /** The warp. */
    public WarpAffine warp() {
        return warp;
    }

    /**
     * InsightFace's {@code estimate_norm(landmarks, size)} in double (see {@link
     * SimilarityTransform}).
     *
     * @param landmarks {@code x1, y1, ..., x5, y5} in source pixels
     * @return the matrix from source to crop pixels
     * @throws IllegalArgumentException if there are not 10 finite values or the points coincide
     */
    public AffineMatrix estimate(float[] landmarks) {
        if (landmarks.length != 2 * LANDMARKS) {
            throw new IllegalArgumentException("landmarks must be 5 x, y pairs (10 values), got " + landmarks.length
                    + " values");
        }
        return SimilarityTransform.estimate(landmarks, points);
    }

    /** The aligned crop of {@code image}: {@link #estimate} then {@link #warp(BufferedImage, AffineMatrix)}. */
    public BufferedImage align(BufferedImage image, float[] landmarks) {
        return warp(image, estimate(landmarks));
    }

    /**
     * {@code image} warped with {@code m} to a {@code size x size} crop.
     *
     * @param image any image; converted as {@link ImageDecoder#rgb} converts it (gray expanded from
     *     its raster values, alpha dropped) unless it is {@code TYPE_INT_RGB}
     * @param m the matrix from source to crop pixels
     * @return a {@code TYPE_INT_RGB} image of {@code size x size}
     */
    public BufferedImage warp(BufferedImage image, AffineMatrix m) {
        image = ImageDecoder.rgb(image);
        int w = image.getWidth();
        int h = image.getHeight();
        int[] px = warp.warp(image.getRGB(0, 0, w, h, null, 0, w), w, h, m, size, size);
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, size, size, px, 0, size);
        return out;
    }

    /**
     * The aligned crop of an H x W x 3 uint8 RGB image (row-major, as numpy holds it).
     *
     * @param rgb {@code height * width * 3} bytes
     * @param height the image height
     * @param width the image width
     * @param landmarks {@code x1, y1, ..., x5, y5}
     * @return {@code size * size * 3} bytes, RGB
     */
    public byte[] align(byte[] rgb, int height, int width, float[] landmarks) {
        if (height < 1 || width < 1 || rgb.length != height * width * 3) {
            throw new IllegalArgumentException("rgb must hold height x width x 3 = " + height + " x " + width
                    + " x 3 bytes, got " + rgb.length);
        }
        int[] packed = new int[height * width];
        for (int p = 0; p < packed.length; p++) {
            packed[p] = (rgb[3 * p] & 0xff) << 16 | (rgb[3 * p + 1] & 0xff) << 8 | (rgb[3 * p + 2] & 0xff);
        }
        int[] px = warp.warp(packed, width, height, estimate(landmarks), size, size);
        byte[] out = new byte[px.length * 3];
        for (int p = 0; p < px.length; p++) {
            out[3 * p] = (byte) (px[p] >>> 16);
            out[3 * p + 1] = (byte) (px[p] >>> 8);
            out[3 * p + 2] = (byte) px[p];
        }
        return out;
    }

    @Override
    public String toString() {
        return "FaceAligner(size=" + size + ", template=" + template + ", warp=" + warp + ", points="
                + Arrays.toString(points) + ")";
    }

    /** Builds a {@link FaceAligner}; the defaults are {@code norm_crop}'s. */
    public static final class Builder {

        private int size = DEFAULT_SIZE;
        private FaceTemplate template = FaceTemplate.ARCFACE;
        private WarpAffine warp = WarpAffine.OPENCV;

        private Builder() {}

        /** The crop size, a multiple of 112 or 128 (default {@value FaceAligner#DEFAULT_SIZE}). */
        public Builder optSize(int size) {
            this.size = size;
            return this;
        }

        /** The template (default {@link FaceTemplate#ARCFACE}). */
        public Builder optTemplate(FaceTemplate template) {
            this.template = java.util.Objects.requireNonNull(template, "template");
            return this;
        }

        /** The warp (default {@link WarpAffine#OPENCV}, bit-exact with {@code cv2.warpAffine}). */
        public Builder optWarp(WarpAffine warp) {
            this.warp = java.util.Objects.requireNonNull(warp, "warp");
            return this;
        }

        /**
         * The aligner.
         *
         * @throws IllegalArgumentException if the template does not support the size
         */
        public FaceAligner build() {
            if (!template.supports(size)) {
                template.points(size); // throws with the message
            }
            return new FaceAligner(this);
        }
    }
}
