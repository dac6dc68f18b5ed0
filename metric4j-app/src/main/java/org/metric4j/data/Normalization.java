package org.metric4j.data;

/**
 * How an 8-bit pixel value v in [0, 255] becomes a float: \( (v - mean) / std \).
 *
 * @param mean subtracted from every value
 * @param std the divisor, finite and &gt; 0
 */
public record Normalization(float mean, float std) {

    /** InsightFace (ArcFace): \( (v - 127.5) / 127.5 \), values in [-1, 1]. */
    public static final Normalization INSIGHTFACE = new Normalization(127.5f, 127.5f);

    /** SphereFace / CosFace training code: \( (v - 127.5) / 128 \), values in [-0.996, 0.996]. */
    public static final Normalization SPHEREFACE = new Normalization(127.5f, 128f);

    /** \( v / 255 \), values in [0, 1] (torchvision's {@code ToTensor}). */
    public static final Normalization UNIT = new Normalization(0f, 255f);

    /** Validates the fields. */
    public Normalization {
        if (!Float.isFinite(mean)) {
            throw new IllegalArgumentException("mean must be finite, got " + mean);
        }
        if (!(std > 0) || !Float.isFinite(std)) {
            throw new IllegalArgumentException("std must be finite and > 0, got " + std);
        }
    }

    /** The normalized value of {@code v}. */
    public float apply(int v) {
        return (v - mean) / std;
    }

    /** The 256 normalized values of 0..255, for table look-ups. */
    public float[] table() {
        float[] t = new float[256];
        for (int v = 0; v < 256; v++) {
            t[v] = apply(v);
        }
        return t;
    }

    @Override
    public String toString() {
        return "(v - " + mean + ") / " + std;
    }
}
