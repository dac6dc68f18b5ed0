package org.metric4j.data.align;

/**
 * Where the 5 landmarks (image-left eye, right eye, nose tip, image-left mouth corner, right mouth
 * corner) go in the crop: InsightFace's templates, in float32 as InsightFace holds them.
 */
public enum FaceTemplate {

    /**
     * {@code arcface_dst} of InsightFace's {@code insightface/utils/face_align.py}, scaled as its
     * {@code estimate_norm(lmk, image_size)} scales it: for a multiple of 112 by {@code image_size /
     * 112}; otherwise (a multiple of 128) by {@code image_size / 128} and shifted right by {@code 8
     * image_size / 128}, in float32.
     */
    ARCFACE(new float[] {
        38.2946f, 51.6963f, 73.5318f, 51.5014f, 56.0252f, 71.7366f, 41.5493f, 92.3655f, 70.7299f, 92.2041f}),

    /**
     * The template of {@code Embedding} in InsightFace's {@code recognition/arcface_torch/eval_ijbc.py}
     * (IJB-B/C evaluation): {@code arcface_dst} written 8 px to the left, then shifted with {@code
     * src[:, 0] += 8.0} in float32, so that the x of point 4 is 70.72990417480469, one float32 ulp
     * above {@code arcface_dst}'s. 112 x 112 only, as there.
     */
    EVAL_IJBC(new float[] {
        30.2946f + 8f, 51.6963f, 65.5318f + 8f, 51.5014f, 48.0252f + 8f, 71.7366f,
        33.5493f + 8f, 92.3655f, 62.7299f + 8f, 92.2041f});

    /** The crop size of the templates as written. */
    public static final int BASE_SIZE = 112;

    private final float[] points;

    FaceTemplate(float[] points) {
        this.points = points;
    }

    /**
     * The template for a square crop of {@code imageSize} pixels, as {@code x1, y1, ..., x5, y5}.
     *
     * @throws IllegalArgumentException if the size is not a positive multiple of 112 or 128 (or,
     *     for {@link #EVAL_IJBC}, not 112)
     */
    public float[] points(int imageSize) {
        checkSize(imageSize);
        if (imageSize == BASE_SIZE) {
            return points.clone();
        }
        float ratio;
        float shift;
        if (imageSize % 112 == 0) {
            ratio = imageSize / 112f;
            shift = 0f;
        } else {
            ratio = imageSize / 128f;
            shift = 8f * ratio;
        }
        float[] out = new float[10];
        for (int i = 0; i < 10; i++) {
            out[i] = points[i] * ratio;
            if (i % 2 == 0) {
                out[i] += shift;
            }
        }
        return out;
    }

    /** Whether {@link #points(int)} accepts {@code imageSize}. */
    public boolean supports(int imageSize) {
        if (this == EVAL_IJBC) {
            return imageSize == BASE_SIZE;
        }
        return imageSize > 0 && (imageSize % 112 == 0 || imageSize % 128 == 0);
    }

    private void checkSize(int imageSize) {
        if (!supports(imageSize)) {
            throw new IllegalArgumentException("image size of the " + this + " template must be "
                    + (this == EVAL_IJBC ? "112" : "a positive multiple of 112 or 128") + ", got " + imageSize);
        }
    }
}
