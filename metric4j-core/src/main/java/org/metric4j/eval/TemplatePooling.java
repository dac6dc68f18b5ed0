package org.metric4j.eval;

import java.util.Arrays;
import java.util.Objects;

/**
 * IJB-B / IJB-C template features as InsightFace's {@code recognition/arcface_torch/eval_ijbc.py}
 * builds them (its Step 3 and {@code image2template_feature}):
 *
 * <ol>
 *   <li>Image features from each row {@code [f(x) | f(flip(x))]} of an N x 2D matrix by the
 *       {@link Flip} mode (float32).
 *   <li>Without the norm score ({@code use_norm_score=False}) each row is divided by its L2 norm,
 *       removing the quality information in the norm (float32, the squares summed as numpy sums).
 *   <li>With the detector score ({@code use_detector_score=True}) each row is multiplied by its
 *       image's faceness score.
 *   <li>A media (one still, or the frames of one video) is the float32 mean of its images; a
 *       template is the float32 sum of its media, then L2 normalized in float64 (sklearn {@code
 *       normalize}: a zero row stays zero): \( t = \sum_m \bar{x}_m / \| \sum_m \bar{x}_m \| \).
 * </ol>
 *
 * Templates come in ascending id order ({@code np.unique}). The defaults are the script's:
 * flip {@link Flip#SUM}, norm score and detector score on (its configuration {@code F2_N1_D1}).
 * On InsightFace's fixture the template features and scores of all 12 configurations match the
 * script's within 7e-16.
 */
public final class TemplatePooling {

    /** How an image feature is made from {@code [f(x) | f(flip(x))]}. */
    public enum Flip {
        /** {@code feats[:, :D]}, the script's {@code use_flip_test=False} (F0). */
        NONE,
        /**
         * The whole row, the script's commented-out concat line (F1); also the choice for N x D
         * features that have no flipped half.
         */
        CONCAT,
        /** {@code feats[:, :D] + feats[:, D:]}, the script's active flip-test line (F2). */
        SUM
    }

    /** The script's flip mode. */
    public static final Flip DEFAULT_FLIP = Flip.SUM;

    /** The script's {@code use_norm_score}: {@value}. */
    public static final boolean DEFAULT_NORM_SCORE = true;

    /** The script's {@code use_detector_score}: {@value}. */
    public static final boolean DEFAULT_DETECTOR_SCORE = true;

    /**
     * Normalized template features.
     *
     * @param ids the template ids, ascending
     * @param features ids.length x dim, row-major, float64, each row of unit norm (or zero)
     * @param dim the feature width
     */
    public record Templates(long[] ids, double[] features, int dim) {

        /** The row of a template id, or -1 when it has no images. */
        public int indexOf(long id) {
            int i = Arrays.binarySearch(ids, id);
            return i < 0 ? -1 : i;
        }

        /** The number of templates. */
        public int size() {
            return ids.length;
        }

        /** The rows of the given template ids, row-major; a missing id is an error naming {@code what}. */
        public double[] rows(long[] wanted, String what) {
            double[] out = new double[wanted.length * dim];
            for (int k = 0; k < wanted.length; k++) {
                int i = indexOf(wanted[k]);
                if (i < 0) {
                    throw new IllegalArgumentException(what + " names template " + wanted[k]
                            + ", which has no images in the template/media list");
                }
                System.arraycopy(features, i * dim, out, k * dim, dim);
            }
            return out;
        }
    }

    private final Flip flip;
    private final boolean normScore;
    private final boolean detectorScore;

    private TemplatePooling(Builder b) {
        this.flip = b.flip;
        this.normScore = b.normScore;
        this.detectorScore = b.detectorScore;
    }

    /** A builder with the script's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The flip mode. */
    public Flip flip() {
        return flip;
    }

    /** Whether the feature norm is kept ({@code use_norm_score}). */
    public boolean normScore() {
        return normScore;
    }

    /** Whether rows are weighted by faceness ({@code use_detector_score}). */
    public boolean detectorScore() {
        return detectorScore;
    }

    /** The configuration key of the InsightFace fixture, {@code F<flip>_N<0|1>_D<0|1>}. */
    public String key() {
        int f = switch (flip) {
            case NONE -> 0;
            case CONCAT -> 1;
            case SUM -> 2;
        };
        return "F" + f + "_N" + (normScore ? 1 : 0) + "_D" + (detectorScore ? 1 : 0);
    }

    /**
     * The template features of images.
     *
     * @param feats N x width raw features, row-major (for {@link Flip#NONE} and {@link Flip#SUM}
     *     each row is {@code [f(x) | f(flip(x))]}, width even)
     * @param width the row width
     * @param faceness N faceness scores (used with the detector score)
     * @param templates N template ids
     * @param medias N media ids
     * @return the normalized templates, ascending id
     */
    public Templates apply(float[] feats, int width, float[] faceness, long[] templates, long[] medias) {
        int n = templates.length;
        if (medias.length != n || faceness.length != n) {
            throw new IllegalArgumentException("templates, medias and faceness must have one entry per image, got "
                    + n + ", " + medias.length + " and " + faceness.length);
        }
        if (width <= 0 || feats.length != (long) n * width) {
            throw new IllegalArgumentException("feats must be " + n + " x " + width + " (one row per image), got "
                    + feats.length + " values");
        }
        return pool(imageFeatures(feats, width, faceness), dim(width), templates, medias);
    }

    /** The image feature width for raw rows of {@code width}. */
    public int dim(int width) {
        if (flip == Flip.CONCAT) {
            return width;
        }
        if (width % 2 != 0) {
            throw new IllegalArgumentException("flip " + flip + " needs rows [f(x) | f(flip(x))] of even width, got "
                    + width + " (use flip CONCAT for features without a flipped half)");
        }
        return width / 2;
    }

    /** Steps 1-3: N x dim(width) image features, float32 as numpy computes them. */
    public float[] imageFeatures(float[] feats, int width, float[] faceness) {
        int d = dim(width);
        int n = feats.length / width;
        float[] out = new float[n * d];
        for (int i = 0; i < n; i++) {
            int in = i * width;
            int o = i * d;
            for (int j = 0; j < d; j++) {
                out[o + j] = flip == Flip.SUM ? feats[in + j] + feats[in + d + j] : feats[in + j];
            }
            if (!normScore) {
                float[] squares = new float[d];
                for (int j = 0; j < d; j++) {
                    squares[j] = out[o + j] * out[o + j];
                }
                float norm = (float) Math.sqrt(pairwiseSum(squares, 0, d));
                for (int j = 0; j < d; j++) {
                    out[o + j] /= norm;
                }
            }
            if (detectorScore) {
                for (int j = 0; j < d; j++) {
                    out[o + j] *= faceness[i];
                }
            }
        }
        return out;
    }

    /**
     * numpy's float32 {@code add.reduce} over a contiguous axis ({@code pairwise_sum} of
     * {@code loops_utils.h}): sequential below 8 values, eight running sums up to 128, halves
     * (a multiple of 8 first) above; so {@code np.sum(x ** 2, -1)} is reproduced bit for bit.
     */
    static float pairwiseSum(float[] a, int off, int n) {
        if (n < 8) {
            float r = 0f;
            for (int i = 0; i < n; i++) {
                r += a[off + i];
            }
            return r;
        }
        if (n <= 128) {
            float[] r = new float[8];
            System.arraycopy(a, off, r, 0, 8);
            int i = 8;
            for (; i < n - (n % 8); i += 8) {
                for (int j = 0; j < 8; j++) {
                    r[j] += a[off + i + j];
                }
            }
            float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                res += a[off + i];
            }
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return pairwiseSum(a, off, n2) + pairwiseSum(a, off + n2, n - n2);
    }

    /** Step 4: media means (float32), their sum per template (float32), L2 normalized (float64). */
    static Templates pool(float[] x, int d, long[] templates, long[] medias) {
        int n = templates.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // by template, then media, then file order: each media's images are summed in file order
        Arrays.sort(order, (a, b) -> templates[a] != templates[b] ? Long.compare(templates[a], templates[b])
                : medias[a] != medias[b] ? Long.compare(medias[a], medias[b]) : Integer.compare(a, b));
        long[] ids = Arrays.stream(templates).sorted().distinct().toArray();
        double[] out = new double[ids.length * d];
        float[] template = new float[d];
        float[] media = new float[d];
        int k = 0;
        for (int t = 0; t < ids.length; t++) {
            Arrays.fill(template, 0f);
            while (k < n && templates[order[k]] == ids[t]) {
                long m = medias[order[k]];
                Arrays.fill(media, 0f);
                int count = 0;
                while (k < n && templates[order[k]] == ids[t] && medias[order[k]] == m) {
                    int row = order[k] * d;
                    for (int j = 0; j < d; j++) {
                        media[j] += x[row + j];
                    }
                    count++;
                    k++;
                }
                for (int j = 0; j < d; j++) {
                    template[j] += media[j] / count;
                }
            }
            double s = 0;
            for (int j = 0; j < d; j++) {
                s += (double) template[j] * template[j];
            }
            double norm = s == 0 ? 1 : Math.sqrt(s);
            for (int j = 0; j < d; j++) {
                out[t * d + j] = template[j] / norm;
            }
        }
        return new Templates(ids, out, d);
    }

    @Override
    public String toString() {
        return "TemplatePooling(flip=" + flip + ", normScore=" + normScore + ", detectorScore=" + detectorScore + ")";
    }

    /** Builds a {@link TemplatePooling}. */
    public static final class Builder {
        private Flip flip = DEFAULT_FLIP;
        private boolean normScore = DEFAULT_NORM_SCORE;
        private boolean detectorScore = DEFAULT_DETECTOR_SCORE;

        private Builder() {}

        /** The flip mode (default {@link Flip#SUM}). */
        public Builder optFlip(Flip flip) {
            this.flip = Objects.requireNonNull(flip, "flip");
            return this;
        }

        /**
         * Divides each image feature by its norm ({@code use_norm_score=False}); by default the
         * norm is kept ({@value TemplatePooling#DEFAULT_NORM_SCORE}).
         */
        public Builder optWithoutNormScore() {
            this.normScore = false;
            return this;
        }

        /**
         * Does not weight the images by their faceness ({@code use_detector_score=False}); by
         * default they are weighted ({@value TemplatePooling#DEFAULT_DETECTOR_SCORE}).
         */
        public Builder optWithoutDetectorScore() {
            this.detectorScore = false;
            return this;
        }

        /** The pooling. */
        public TemplatePooling build() {
            return new TemplatePooling(this);
        }
    }
}
